package io.hyperstar.schedule;

import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.Hyperband;
import io.hyperstar.hyperband.Outcome;
import io.hyperstar.hyperband.Strategy;
import io.hyperstar.hyperband.Trial;
import io.hyperstar.hyperband.TuningSpec;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Experiment state in the scheduler's store and changelog, in a compact binary layout. The state is internal
 * (never a contract with other teams) and is rewritten on every trial result, so its cost is the scheduler's
 * cost: no field names, the plan recomputed from the request, trial ids rebuilt from their coordinates.
 * The first byte is the layout version, so a later layout can still read this one. Version 2 adds each trial's
 * curve (kept only while a later rung may resume from it); version 1 state reads with no curves. Version 3 adds ASHA's
 * trials in flight, the space's dimension sizes (BOHB models each), and the model version, time, device and nearest
 * training tasks of the ranking, and drops the running rung, which the trials tell; earlier state reads with 0 (the
 * default width), one dimension and none of the ranking's details, which no search stored then used. Version 4 adds
 * when the search was stored as done and whether it was archived; earlier state reads with neither (the scheduler dates
 * a finished search of an earlier layout from the first check after the upgrade).
 */
public final class ExperimentSerde implements Serde<Experiment> {

    private static final byte VERSION = 4;

    @Override
    public Serializer<Experiment> serializer() {
        return (topic, e) -> {
            if (e == null) {
                return null;
            }
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
                write(e, new DataOutputStream(bytes));
                return bytes.toByteArray();
            } catch (IOException ex) {
                throw new SerializationException("cannot write experiment state", ex);
            }
        };
    }

    @Override
    public Deserializer<Experiment> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return read(new DataInputStream(new ByteArrayInputStream(bytes)));
            } catch (IOException | RuntimeException ex) {
                throw new SerializationException("cannot read experiment state", ex);
            }
        };
    }

    static void write(Experiment e, DataOutputStream out) throws IOException {
        out.writeByte(VERSION);
        str(out, e.experimentId);
        str(out, e.datasetId);
        str(out, e.tenant);
        str(out, e.datasetUri);
        str(out, e.datasetFormat);
        TuningSpec s = e.spec;
        out.writeByte(s.strategy().ordinal());
        out.writeInt(s.maxEpochsPerTrial());
        out.writeInt(s.eta());
        out.writeLong(s.totalEpochBudget());
        out.writeLong(s.seed());
        out.writeDouble(s.explorationShare());
        out.writeInt(s.maxRetries());
        out.writeInt(s.parallelTrials());
        out.writeInt(e.spaceSize);
        ints(out, e.dimensionSizes);
        out.writeLong(e.createdAtMs);
        out.writeByte(e.phase.ordinal());
        ints(out, e.ranking);
        str(out, e.rankingModel);
        out.writeLong(e.rankingMillis);
        str(out, e.rankingDevice);
        out.writeInt(e.rankedLike.size());
        for (Experiment.Neighbour n : e.rankedLike) {
            str(out, n.taskId());
            out.writeDouble(n.weight());
        }
        str(out, e.note);
        out.writeInt(e.bracketIndex);
        out.writeLong(e.epochsCommitted);
        out.writeLong(e.epochsUsed);
        out.writeLong(e.epochsUsedAtBest);
        out.writeBoolean(e.budgetExhausted);
        str(out, e.bestTrialId);
        out.writeInt(e.duplicateResults);
        out.writeInt(e.trials.size());
        for (Trial t : e.trials.values()) {
            out.writeInt(t.configId);
            out.writeInt(t.bracketIndex);
            out.writeInt(t.bracket);
            out.writeInt(t.rung);
            out.writeInt(t.epochs);
            out.writeInt(t.attempt);
            str(out, t.resumeFromTrialId);
            out.writeInt(t.resumeFromEpochs);
            out.writeLong(t.requestedAtMs);
            out.writeByte(t.status.ordinal());
            optionalDouble(out, t.top1);
            out.writeInt(t.epochsTrained);
            out.writeLong(t.durationMs);
            str(out, t.worker);
            str(out, t.error);
            out.writeInt(t.lateResults);
            doubles(out, t.curve);
        }
        Outcome o = e.outcome;
        out.writeBoolean(o != null);
        if (o != null) {
            out.writeByte(o.reason().ordinal());
            str(out, o.bestTrialId());
            out.writeInt(o.bestConfigId() == null ? -1 : o.bestConfigId());
            optionalDouble(out, o.bestTop1());
            out.writeInt(o.bestEpochs());
            out.writeLong(o.epochsUsed());
            out.writeLong(o.epochsUsedAtBest());
            out.writeInt(o.trialsRequested());
            out.writeInt(o.trialsSucceeded());
            out.writeInt(o.trialsFailed());
            str(out, o.note());
        }
        out.writeLong(e.completedAtMs);
        out.writeBoolean(e.archived);
    }

    static Experiment read(DataInputStream in) throws IOException {
        byte version = in.readByte();
        if (version < 1 || version > VERSION) {
            throw new IOException("unknown experiment state layout " + version);
        }
        Experiment e = new Experiment();
        e.experimentId = str(in);
        e.datasetId = str(in);
        e.tenant = str(in);
        e.datasetUri = str(in);
        e.datasetFormat = str(in);
        e.spec = new TuningSpec(Strategy.values()[in.readByte()], in.readInt(), in.readInt(), in.readLong(), in.readLong(),
                in.readDouble(), in.readInt(), version >= 3 ? in.readInt() : 0);
        e.spaceSize = in.readInt();
        if (version >= 3) {
            e.dimensionSizes = ints(in);
        }
        e.createdAtMs = in.readLong();
        e.phase = Experiment.Phase.values()[in.readByte()];
        e.ranking = ints(in);
        if (version >= 3) {
            e.rankingModel = str(in);
            e.rankingMillis = in.readLong();
            e.rankingDevice = str(in);
            int neighbours = in.readInt();
            List<Experiment.Neighbour> like = new ArrayList<>(neighbours);
            for (int i = 0; i < neighbours; i++) {
                like.add(new Experiment.Neighbour(str(in), in.readDouble()));
            }
            e.rankedLike = List.copyOf(like);
        }
        e.note = str(in);
        e.bracketIndex = in.readInt();
        if (version < 3) {
            in.readInt(); // the running rung, which layout 3 derives from the trials
        }
        e.epochsCommitted = in.readLong();
        e.epochsUsed = in.readLong();
        e.epochsUsedAtBest = in.readLong();
        e.budgetExhausted = in.readBoolean();
        e.bestTrialId = str(in);
        e.duplicateResults = in.readInt();
        int n = in.readInt();
        e.trials = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            Trial t = new Trial();
            t.configId = in.readInt();
            t.bracketIndex = in.readInt();
            t.bracket = in.readInt();
            t.rung = in.readInt();
            t.epochs = in.readInt();
            t.attempt = in.readInt();
            t.trialId = ExperimentMachine.trialId(e.experimentId, t.bracket, t.rung, t.configId, t.attempt);
            t.resumeFromTrialId = str(in);
            t.resumeFromEpochs = in.readInt();
            t.requestedAtMs = in.readLong();
            t.status = Trial.Status.values()[in.readByte()];
            t.top1 = optionalDouble(in);
            t.epochsTrained = in.readInt();
            t.durationMs = in.readLong();
            t.worker = str(in);
            t.error = str(in);
            t.lateResults = in.readInt();
            if (version >= 2) {
                t.curve = doubles(in);
            }
            e.trials.put(t.trialId, t);
        }
        if (in.readBoolean()) {
            Outcome.Reason reason = Outcome.Reason.values()[in.readByte()];
            String bestTrial = str(in);
            int bestConfig = in.readInt();
            Double bestTop1 = optionalDouble(in);
            e.outcome = new Outcome(reason, bestTrial, bestConfig < 0 ? null : bestConfig, bestTop1, in.readInt(), in.readLong(),
                    in.readLong(), in.readInt(), in.readInt(), in.readInt(), str(in));
        }
        if (version >= 4) {
            e.completedAtMs = in.readLong();
            e.archived = in.readBoolean();
        }
        e.plan = Hyperband.plan(e.spec.maxEpochsPerTrial(), e.spec.eta(), e.spaceSize);
        return e;
    }

    /** A presence flag, then the value if present. */
    private static void optionalDouble(DataOutputStream out, Double v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeDouble(v);
        }
    }

    private static Double optionalDouble(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readDouble() : null;
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String str(DataInputStream in) throws IOException {
        int len = in.readInt();
        if (len < 0) {
            return null;
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void doubles(DataOutputStream out, List<Double> values) throws IOException {
        out.writeInt(values.size());
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    private static List<Double> doubles(DataInputStream in) throws IOException {
        int n = in.readInt();
        Double[] values = new Double[n];
        for (int i = 0; i < n; i++) {
            values[i] = in.readDouble();
        }
        return List.of(values);
    }

    private static void ints(DataOutputStream out, List<Integer> values) throws IOException {
        if (values == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(values.size());
        for (int v : values) {
            out.writeInt(v);
        }
    }

    private static List<Integer> ints(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(in.readInt());
        }
        return out;
    }
}
