package io.hyperstar.worker;

import io.hyperstar.catalog.DataRoots;
import io.hyperstar.catalog.DatasetException;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.events.TrialStatus;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.train.Trainer;
import io.hyperstar.train.TrialResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Answers trials by really fine-tuning the backbone with DJL ({@link Trainer}), resuming a promoted trial from
 * the checkpoint of the trial it continues. Requests it must not or cannot run (dataset outside the data
 * roots, missing or corrupt, absurd budget, unknown checkpoint) are answered FAILED with the reason.
 */
public final class TrainRunner implements TrialRunner {

    private final Trainer trainer;
    private final ConfigSpace space;
    private final DataRoots dataRoots;
    private final Path checkpoints;
    private final int maxEpochs;
    /** The last few datasets, decoded: successive trials of one experiment reuse them. */
    private final Map<Path, TaskData> cache = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, TaskData> eldest) {
            return size() > 3;
        }
    };

    public TrainRunner(Trainer trainer, ConfigSpace space, List<Path> dataRoots, Path checkpoints, int maxEpochs) throws IOException {
        this.trainer = trainer;
        this.space = space;
        this.dataRoots = new DataRoots(dataRoots);
        this.checkpoints = Files.createDirectories(checkpoints);
        this.maxEpochs = maxEpochs;
    }

    @Override
    public TrialCompleted run(TrialRequested r, String workerId) {
        return run(r, workerId, () -> false);
    }

    @Override
    public TrialCompleted run(TrialRequested r, String workerId, BooleanSupplier cancelled) {
        long start = System.nanoTime();
        try {
            if (r.getEpochs() < 1 || r.getEpochs() > maxEpochs) {
                return fail(r, workerId, start, "budget of " + r.getEpochs() + " epochs is outside 1.." + maxEpochs);
            }
            if (r.getResumeFromEpochs() < 0 || r.getResumeFromEpochs() >= r.getEpochs()) {
                return fail(r, workerId, start, "resumeFromEpochs " + r.getResumeFromEpochs() + " must be in 0.." + (r.getEpochs() - 1));
            }
            ConfigSpace.Config config;
            try {
                config = space.config(r.getConfigId());
            } catch (IllegalArgumentException e) {
                return fail(r, workerId, start, e.getMessage());
            }
            if (!r.getConfig().isEmpty() && !r.getConfig().equals(config.values())) {
                return fail(r, workerId, start, "configuration " + r.getConfigId() + " is " + r.getConfig()
                        + " in the request but " + config.values() + " in this worker's space");
            }
            Path dir = dataRoots.resolve(r.getDatasetUri());
            if (dir == null) {
                return fail(r, workerId, start, "dataset URI " + r.getDatasetUri() + " is outside the configured data roots " + dataRoots);
            }
            if (!Files.isDirectory(dir)) {
                return fail(r, workerId, start, "dataset " + r.getDatasetUri() + " does not exist");
            }
            Optional<Path> resume = Optional.empty();
            if (r.getResumeFromTrialId() != null) {
                Path cp = checkpointOf(r.getResumeFromTrialId());
                if (!Files.isDirectory(cp)) {
                    return fail(r, workerId, start, "no checkpoint of trial " + r.getResumeFromTrialId() + " to resume from");
                }
                resume = Optional.of(cp);
            }
            TaskData data = load(dir);
            TrialResult result;
            try {
                result = trainer.run(data, config, r.getEpochs(), resume, checkpointOf(r.getTrialId()), cancelled);
            } catch (Trainer.Stopped stopped) {
                return fail(r, workerId, start, "stopped after " + stopped.epochsDone + " of " + r.getEpochs()
                        + " epochs: the search was cancelled");
            }
            List<Double> curve = result.valTop1().subList(r.getResumeFromEpochs(), r.getEpochs());
            return TrialCompleted.newBuilder()
                    .setTrialId(r.getTrialId())
                    .setExperimentId(r.getExperimentId())
                    .setStatus(TrialStatus.SUCCEEDED)
                    .setTop1(result.finalValTop1())
                    .setCurve(curve)
                    .setEpochsTrained(r.getEpochs() - r.getResumeFromEpochs())
                    .setDurationMs((System.nanoTime() - start) / 1_000_000)
                    .setWorker(workerId)
                    .build();
        } catch (DatasetException e) {
            return fail(r, workerId, start, "unreadable dataset: " + e.getMessage());
        } catch (IOException e) {
            return fail(r, workerId, start, "I/O error: " + e.getMessage());
        }
    }

    private synchronized TaskData load(Path dir) throws DatasetException {
        TaskData cached = cache.get(dir);
        if (cached == null) {
            cached = TaskData.load(dir);
            cache.put(dir, cached);
        }
        return cached;
    }

    private Path checkpointOf(String trialId) {
        // Trial ids are ours, but a request is input: keep them from naming anything outside the checkpoint folder.
        return checkpoints.resolve(trialId.replaceAll("[^A-Za-z0-9._-]", "_"));
    }

    private static TrialCompleted fail(TrialRequested r, String workerId, long start, String reason) {
        return TrialRunner.failed(r, workerId, reason, (System.nanoTime() - start) / 1_000_000);
    }
}
