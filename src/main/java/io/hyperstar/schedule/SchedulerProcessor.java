package io.hyperstar.schedule;

import io.hyperstar.events.Admission;
import io.hyperstar.events.AdmissionKind;
import io.hyperstar.events.CancelRequested;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.DeadLetter;
import io.hyperstar.events.DeadLetters;
import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.ExperimentOutcome;
import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.events.RankingComputed;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.events.TrialStatus;
import io.hyperstar.events.Topic;
import io.hyperstar.events.Topics;
import io.hyperstar.hyperband.Asha;
import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.ExperimentMachine.Disposition;
import io.hyperstar.hyperband.ExperimentMachine.Step;
import io.hyperstar.hyperband.Hyperband;
import io.hyperstar.hyperband.Outcome;
import io.hyperstar.hyperband.Strategy;
import io.hyperstar.hyperband.Trial;
import io.hyperstar.hyperband.TrialOrder;
import io.hyperstar.hyperband.TrialReport;
import io.hyperstar.hyperband.TuningSpec;
import io.hyperstar.space.ConfigSpace;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Runs every experiment of its partitions: decodes dataset-registered, ranking-computed, trial-completed and
 * cancel-requested events, moves each experiment's state on with {@link ExperimentMachine}, and emits trial requests, experiment
 * results and the meta-dataset record of every full-budget success. Anything it cannot accept becomes a dead
 * letter with the reason; it never throws on input.
 */
final class SchedulerProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger LOG = Logger.getLogger(SchedulerProcessor.class);
    /** Training tasks a ranking's neighbours are kept for, heaviest first: enough to say what the dataset looked like. */
    static final int RANKED_LIKE_KEPT = 5;

    /** Running experiments kept as objects per task; beyond this the least recently used is read from the store again. */
    static final int LIVE_EXPERIMENTS = 1_000;
    /** Present once the running-experiments index covers the whole store (state written before it had none). */
    static final String INDEXED = "\u0000indexed-v1";
    /** Searches archived per check at most, so that a first check after an upgrade does not hold the stream thread long. */
    static final int ARCHIVE_BATCH = 1_000;

    private final Topics topics;
    private final SchedulerSettings settings;
    private final ConfigSpace space;
    private final MeterRegistry metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, Experiment> experiments;
    private KeyValueStore<String, RankingComputed> earlyRankings;
    /**
     * Experiment id -> creation time, for every experiment not done yet, and those done since the last check (plus the
     * {@link #INDEXED} marker).
     */
    private KeyValueStore<String, Long> running;
    /** {@link TimeIndex} key -> experiment id: every experiment by creation, the finished ones not archived by end. */
    private KeyValueStore<String, String> timeIndex;
    private boolean indexed;
    /**
     * Running experiments as live objects, so a result does not parse the experiment's JSON again (in the load test
     * that parse was over 40% of the stream thread; without it the thread's CPU per result doubles). Write-through: every change still goes to the store, so the
     * changelog and interactive queries see what they saw before; the store stays the truth. Emptied on init (a
     * revived task starts from its restored store) and whenever an event fails half-way; finished experiments leave.
     */
    private final Map<String, Experiment> live = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Experiment> eldest) {
            return size() > LIVE_EXPERIMENTS;
        }
    };

    SchedulerProcessor(Topics topics, SchedulerSettings settings, ConfigSpace space, MeterRegistry metrics) {
        this.topics = topics;
        this.settings = settings;
        this.space = space;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.experiments = context.getStateStore(SchedulerTopology.EXPERIMENTS_STORE);
        this.earlyRankings = context.getStateStore(SchedulerTopology.EARLY_RANKINGS_STORE);
        this.running = context.getStateStore(SchedulerTopology.RUNNING_STORE);
        this.timeIndex = context.getStateStore(SchedulerTopology.TIME_INDEX_STORE);
        this.indexed = false;
        live.clear();
        context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::check);
        metrics.counter("hyperstar.scheduler.trials.requested"); // visible at 0 from the start, for dashboards and alerts
        metrics.counter("hyperstar.scheduler.experiments.archived");
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        String topic = source.topic();
        try {
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (topic.equals(topics.datasetRegistered.name())) {
                onRegistered(key, decode(topics.datasetRegistered, "dataset-registered", key, record, DatasetRegistered::getExperimentId));
            } else if (topic.equals(topics.trialCompleted.name())) {
                onCompleted(key, decode(topics.trialCompleted, "trial-completed", key, record, TrialCompleted::getExperimentId));
            } else if (topic.equals(topics.rankingComputed.name())) {
                onRanking(key, decode(topics.rankingComputed, "ranking-computed", key, record, RankingComputed::getExperimentId));
            } else if (topic.equals(topics.cancelRequested.name())) {
                onCancel(key, decode(topics.cancelRequested, "cancel-requested", key, record, CancelRequested::getExperimentId));
            } else if (topic.equals(topics.admissionGranted.name())) {
                onGranted(key, decode(topics.admissionGranted, "admission-granted", key, record, Admission::getExperimentId));
            } else {
                throw new InvalidEvent("the scheduler does not read topic " + topic);
            }
        } catch (SerializationException | InvalidEvent | IllegalArgumentException e) {
            live.clear(); // the event may have changed a live experiment before failing: read the store again
            deadLetter(record, source, e.getMessage());
        } catch (RuntimeException e) {
            // A bug must not turn one event into a poison pill that stops every experiment: the event is kept
            // as a dead letter and nothing of its half-done work was stored or sent.
            LOG.errorf(e, "unexpected error on %s-%d@%d", topic, source.partition(), source.offset());
            live.clear();
            deadLetter(record, source, "internal error: " + e);
        }
    }

    @Override
    public void close() {
        live.clear();
    }

    private Experiment load(String key) {
        Experiment e = live.get(key);
        if (e == null) {
            e = experiments.get(key);
            if (e != null && e.phase != Experiment.Phase.DONE) {
                live.put(key, e);
            }
        }
        return e;
    }

    private void store(Experiment e) {
        boolean finishing = e.phase == Experiment.Phase.DONE && e.completedAtMs == 0;
        if (finishing) {
            e.completedAtMs = Math.max(1, now()); // the one store of a search as done, whatever event ended it
        }
        experiments.put(e.experimentId, e);
        // An experiment is live from its creation until it is done: every event load()s it into the cache before it is
        // stored, so entering the cache here is the moment it enters the running index. It leaves the index at the next
        // check, which queues it for archiving: a result that ends a search writes no index itself, since results are the
        // scheduler's hot path and the check runs every few seconds off it.
        if (e.phase == Experiment.Phase.DONE) {
            if (live.remove(e.experimentId) == null && finishing && running.get(e.experimentId) == null) {
                running.put(e.experimentId, e.createdAtMs); // never cached (evicted, or done at once): the check must see it
            }
        } else if (live.put(e.experimentId, e) == null) {
            running.put(e.experimentId, e.createdAtMs);
        }
    }

    private void onRegistered(String key, DatasetRegistered ev) {
        Experiment existing = load(key);
        if (existing != null) {
            if (existing.datasetId.equals(ev.getDatasetId()) && existing.spec.equals(spec(ev))) {
                LOG.debugf("experiment %s registered again with the same request: ignored", key);
                count("duplicate-registration");
                return;
            }
            throw new InvalidEvent("experiment id " + key + " is already used by another request");
        }
        TuningSpec spec = spec(ev);
        Experiment e = ExperimentMachine.create(ev.getExperimentId(), ev.getDatasetId(), spec, space.shape(), now());
        long cheapest = e.plan.stream().mapToLong(b -> b.rungs().get(0).epochs()).min().orElseThrow();
        if (spec.totalEpochBudget() > 0 && spec.totalEpochBudget() < cheapest) {
            throw new InvalidEvent("totalEpochBudget " + spec.totalEpochBudget() + " cannot pay for a single trial (the cheapest costs "
                    + cheapest + " epochs)");
        }
        e.tenant = ev.getTenant();
        e.datasetUri = ev.getUri();
        e.datasetFormat = ev.getFormat().name();
        timeIndex.put(TimeIndex.key(TimeIndex.CREATED, e.createdAtMs, key), key);
        int limit = settings.quota().limit(e.tenant);
        if (limit > 0) {
            // The tenant's running searches are counted on its own partition of tenant-admission: ask there for a slot.
            ExperimentMachine.queue(e);
            LOG.infof("experiment %s queued for a slot of tenant %s, which may run %d search(es) at once", key, e.tenant, limit);
            metrics.counter("hyperstar.scheduler.searches.queued").increment();
            store(e);
            admission(AdmissionKind.REQUEST, e);
            return;
        }
        begin(e);
    }

    /** The search may start: its tenant has no limit, or the tenant's half of the scheduler gave it a slot. */
    private void begin(Experiment e) {
        Step step = ExperimentMachine.start(e, now());
        RankingComputed early = earlyRankings.delete(e.experimentId);
        if (early != null && e.spec.strategy().needsRanking()) {
            step = merge(step, applyRanking(e, early));
        }
        TuningSpec spec = e.spec;
        LOG.infof("experiment %s started: %s on %s, R=%d eta=%d, %s", e.experimentId, spec.strategy(), e.datasetId,
                spec.maxEpochsPerTrial(), spec.eta(), spec.strategy().asynchronous()
                        ? "%d trials in flight, at most %d epochs".formatted(Asha.width(e), e.budgetCap())
                        : "%d brackets planned (%d epochs)".formatted(e.plan.size(), Hyperband.plannedEpochs(e.plan)));
        save(e, step);
    }

    private void onGranted(String key, Admission ev) {
        if (ev.getKind() != AdmissionKind.GRANTED) {
            throw new InvalidEvent("only grants belong on " + topics.admissionGranted.name() + ", got " + ev.getKind());
        }
        Experiment e = load(key);
        if (e == null || e.phase == Experiment.Phase.DONE) {
            // Cancelled while the grant was on its way (or, through a bug, never stored): the slot must not stay taken.
            LOG.infof("slot of tenant %s granted to %s, which %s: given back", ev.getTenant(), key,
                    e == null ? "the scheduler does not know" : "already ended");
            admission(AdmissionKind.RELEASE, ev.getTenant(), key);
            return;
        }
        if (e.phase != Experiment.Phase.QUEUED) {
            return; // a redelivered grant: the search started on the first
        }
        if (ev.getWaited()) {
            // Said in the result, so that a user who finds a search slow to end knows it waited for the team's others.
            e.addNote("waited %d s for one of tenant %s's %d running searches to end".formatted(
                    Math.max(0, now() - e.createdAtMs) / 1000, e.tenant, settings.quota().limit(e.tenant)));
        }
        begin(e);
    }

    private void admission(AdmissionKind kind, Experiment e) {
        admission(kind, e.tenant, e.experimentId);
    }

    private void admission(AdmissionKind kind, String tenant, String experimentId) {
        context.forward(new Record<>(tenant, TenantAdmissionProcessor.event(kind, tenant, experimentId, false, now()), now()),
                SchedulerTopology.TENANT_ADMISSION_SINK);
    }

    private void onRanking(String key, RankingComputed ev) {
        Experiment e = load(key);
        if (e == null) {
            // The ranking overtook its registration (different topics): keep it until the registration arrives.
            earlyRankings.put(key, ev);
            return;
        }
        if (!e.spec.strategy().needsRanking()) {
            return;
        }
        if (e.phase == Experiment.Phase.QUEUED) {
            earlyRankings.put(key, ev); // applied when the search gets its slot and starts
            return;
        }
        save(e, applyRanking(e, ev));
    }

    private Step applyRanking(Experiment e, RankingComputed ev) {
        if (!ev.getOk()) {
            return ExperimentMachine.fallBack(e, "the recommender could not rank the dataset: " + ev.getError(), now());
        }
        String problem = rankingProblem(ev);
        if (problem != null) {
            return ExperimentMachine.fallBack(e, "unusable ranking: " + problem, now());
        }
        Step step = ExperimentMachine.onRanking(e, ev.getRanking(), now());
        if (e.ranking != null) {
            // For the read API: which model's ranking the search started from, and what the model saw in the dataset.
            e.rankingModel = ev.getModelVersion();
            e.rankingMillis = ev.getMillis();
            e.rankingDevice = ev.getDevice();
            e.rankedLike = ev.getNearestTasks().stream()
                    .sorted(java.util.Comparator.comparingDouble((io.hyperstar.events.TaskWeight w) -> -w.getWeight()))
                    .limit(RANKED_LIKE_KEPT)
                    .map(w -> new Experiment.Neighbour(w.getTaskId(), w.getWeight()))
                    .toList();
        }
        return step;
    }

    private String rankingProblem(RankingComputed ev) {
        if (!space.fingerprint().equals(ev.getConfigSpaceFingerprint())) {
            return "configuration space " + ev.getConfigSpaceFingerprint() + " is not this scheduler's " + space.fingerprint();
        }
        List<Integer> ranking = ev.getRanking();
        if (ranking.size() != space.size() || new HashSet<>(ranking).size() != space.size()
                || ranking.stream().anyMatch(c -> c < 0 || c >= space.size())) {
            return "not a permutation of the " + space.size() + " configuration ids";
        }
        return null;
    }

    private void onCompleted(String key, TrialCompleted ev) {
        validate(ev);
        Experiment e = load(key);
        if (e == null) {
            throw new InvalidEvent("unknown experiment " + key + " for trial " + ev.getTrialId());
        }
        TrialReport report = new TrialReport(ev.getTrialId(), ev.getStatus() == TrialStatus.SUCCEEDED, ev.getTop1(),
                ev.getCurve(), ev.getEpochsTrained(), ev.getDurationMs(), ev.getWorker(), ev.getError());
        Trial trial = e.trials.get(ev.getTrialId());
        boolean fullBudget = trial != null && trial.epochs == e.spec.maxEpochsPerTrial();
        // Taken before the report is applied: completing the rung drops the curves of the trials it resumed from.
        List<Double> curve = fullBudget ? ExperimentMachine.curveFromEpochOne(e, trial, ev.getCurve()) : List.of();
        Step step = ExperimentMachine.onReport(e, report, now());
        count(step.disposition().name().toLowerCase().replace('_', '-'));
        switch (step.disposition()) {
            case UNKNOWN_TRIAL -> throw new InvalidEvent(e.archived
                    ? "trial " + ev.getTrialId() + " of experiment " + key + ": the search ended at "
                            + java.time.Instant.ofEpochMilli(e.completedAtMs) + " and was archived after the retention period ("
                            + settings.retention() + "); only its best trial is kept"
                    : "unknown trial " + ev.getTrialId() + " in experiment " + key);
            case DUPLICATE -> LOG.debugf("duplicate result for %s ignored", ev.getTrialId());
            case LATE -> LOG.infof("late result for %s (the trial had timed out, or its search was cancelled) recorded, no effect", ev.getTrialId());
            default -> {
            }
        }
        if (step.disposition() == Disposition.DUPLICATE) {
            store(e); // keeps the duplicate count visible in the API
            return;
        }
        // APPLIED is the one moment a result is first recorded (a redelivery is DUPLICATE, a late answer LATE), so each
        // full-budget success reaches the meta-dataset once, in the same transaction as the state that recorded it.
        // Built before anything is stored or sent, so a record that cannot be built leaves nothing half done.
        MetaDatasetRecord meta = fullBudget && step.disposition() == Disposition.APPLIED && trial.succeeded()
                ? toMetaRecord(e, trial, curve) : null;
        save(e, step);
        if (meta != null) {
            context.forward(new Record<>(Topics.metaDatasetKey(e.datasetId, trial.configId), meta, now()), SchedulerTopology.META_DATASET_SINK);
        }
    }

    private void onCancel(String key, CancelRequested ev) {
        Experiment e = load(key);
        if (e == null) {
            throw new InvalidEvent("unknown experiment " + key + ": nothing to cancel");
        }
        if (e.phase == Experiment.Phase.DONE) {
            // Also what a redelivered cancel meets: refused with the reason, and the search's result stays as it was.
            throw new InvalidEvent("experiment " + key + " already ended (" + e.outcome.reason() + "): nothing to cancel");
        }
        String why = ev.getReason().strip() + (ev.getRequestedBy().isBlank() ? "" : " (by " + ev.getRequestedBy().strip() + ")");
        LOG.infof("experiment %s cancelled: %s", key, why.isBlank() ? "no reason given" : why);
        save(e, ExperimentMachine.cancel(e, why.strip()));
    }

    private static void validate(TrialCompleted ev) {
        if (ev.getEpochsTrained() < 0) {
            throw new InvalidEvent("epochsTrained must be >= 0, got " + ev.getEpochsTrained());
        }
        if (ev.getDurationMs() < 0) {
            throw new InvalidEvent("durationMs must be >= 0, got " + ev.getDurationMs());
        }
        if (ev.getStatus() == TrialStatus.SUCCEEDED) {
            if (!(ev.getTop1() >= 0.0 && ev.getTop1() <= 1.0)) {
                throw new InvalidEvent("top1 accuracy must be in [0, 1], got " + ev.getTop1());
            }
            for (double a : ev.getCurve()) {
                if (!(a >= 0.0 && a <= 1.0)) {
                    throw new InvalidEvent("curve accuracies must be in [0, 1], got " + a);
                }
            }
        }
    }

    /** The wall-clock check: timeouts, then archiving. */
    private void check(long nowMs) {
        if (!indexed) {
            indexEarlierState(nowMs);
            indexed = true;
        }
        checkTimeouts(nowMs);
        archiveDue(nowMs);
    }

    /**
     * Trials without an answer and rankings that never came. Visits only the experiments not yet done (the running
     * index), so its cost follows the running experiments, not every experiment ever stored.
     */
    private void checkTimeouts(long nowMs) {
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = running.all()) {
            while (it.hasNext()) {
                String id = it.next().key;
                if (!id.equals(INDEXED)) {
                    ids.add(id);
                }
            }
        }
        for (String id : ids) {
            Experiment e = load(id);
            if (e == null || e.phase == Experiment.Phase.DONE) {
                running.delete(id);
                if (e != null && !e.archived) {
                    queueForArchiving(e, nowMs);
                }
                continue;
            }
            Step step = e.phase == Experiment.Phase.RUNNING
                    ? ExperimentMachine.onTimeouts(e, nowMs, settings.trialTimeout().toMillis())
                    : ExperimentMachine.onRankingTimeout(e, nowMs, settings.rankingTimeout().toMillis());
            if (step.disposition() != Disposition.UNCHANGED) {
                LOG.infof("experiment %s: timeout handled", id);
                save(e, step);
            }
        }
    }

    /**
     * State written by an earlier release lacks the indexes it did not have: the running index, the creation list and
     * the finished list (with no end time on its finished searches). Each is built once, in one pass over the
     * experiments store, at the first check (not in init, where a store write has no record context). Finished searches
     * without an end time are dated now, so the retention period counts from the upgrade and none is archived sooner
     * than a user could expect.
     */
    private void indexEarlierState(long nowMs) {
        boolean needRunning = running.get(INDEXED) == null;
        boolean needCreated = timeIndex.get(TimeIndex.complete(TimeIndex.CREATED)) == null;
        boolean needFinished = timeIndex.get(TimeIndex.complete(TimeIndex.FINISHED)) == null;
        if (!needRunning && !needCreated && !needFinished) {
            return;
        }
        int runningCount = 0;
        int createdCount = 0;
        // Ids only for the undated, then one search at a time: a long-running deployment holds more finished searches
        // than fit in memory.
        List<String> undated = new ArrayList<>();
        try (KeyValueIterator<String, Experiment> it = experiments.all()) {
            while (it.hasNext()) {
                Experiment e = it.next().value;
                if (needRunning && e.phase != Experiment.Phase.DONE) {
                    running.put(e.experimentId, e.createdAtMs);
                    runningCount++;
                }
                if (needCreated) {
                    timeIndex.put(TimeIndex.key(TimeIndex.CREATED, e.createdAtMs, e.experimentId), e.experimentId);
                    createdCount++;
                }
                if (needFinished && e.phase == Experiment.Phase.DONE && !e.archived && e.completedAtMs == 0) {
                    undated.add(e.experimentId);
                }
            }
        }
        undated.forEach(id -> queueForArchiving(experiments.get(id), nowMs));
        if (needRunning) {
            running.put(INDEXED, 0L);
        }
        if (needCreated) {
            timeIndex.put(TimeIndex.complete(TimeIndex.CREATED), "");
        }
        if (needFinished) {
            timeIndex.put(TimeIndex.complete(TimeIndex.FINISHED), "");
        }
        LOG.infof("indexed an earlier state: %d running experiment(s), %d by creation time, %d finished dated at %s",
                runningCount, createdCount, undated.size(), java.time.Instant.ofEpochMilli(nowMs));
    }

    /** Puts a finished search on the finished list, by its end time; one with none (an earlier layout's) is dated now. */
    private void queueForArchiving(Experiment e, long nowMs) {
        if (e.completedAtMs == 0) {
            e.completedAtMs = Math.max(1, nowMs);
            experiments.put(e.experimentId, e);
        }
        timeIndex.put(TimeIndex.key(TimeIndex.FINISHED, e.completedAtMs, e.experimentId), e.experimentId);
    }

    /**
     * Archives the searches that finished more than the retention period ago ({@link ExperimentMachine#archive}), oldest
     * first and at most {@link #ARCHIVE_BATCH} per check. The index is in order of end time, so the scan reads only the
     * due entries and the first one not yet due.
     */
    private void archiveDue(long nowMs) {
        if (settings.retention().isZero()) {
            return;
        }
        long cutoff = nowMs - settings.retention().toMillis();
        List<KeyValue<String, String>> due = new ArrayList<>();
        try (KeyValueIterator<String, String> it = timeIndex.range(TimeIndex.first(TimeIndex.FINISHED),
                TimeIndex.last(TimeIndex.FINISHED))) {
            while (it.hasNext() && due.size() < ARCHIVE_BATCH) {
                KeyValue<String, String> kv = it.next();
                if (TimeIndex.time(TimeIndex.FINISHED, kv.key) > cutoff) {
                    break;
                }
                due.add(kv);
            }
        }
        int archived = 0;
        for (KeyValue<String, String> kv : due) {
            timeIndex.delete(kv.key);
            Experiment e = experiments.get(kv.value);
            if (e != null && e.phase == Experiment.Phase.DONE && !e.archived) {
                ExperimentMachine.archive(e);
                experiments.put(e.experimentId, e);
                archived++;
            }
        }
        if (archived > 0) {
            metrics.counter("hyperstar.scheduler.experiments.archived").increment(archived);
            LOG.infof("archived %d search(es) finished more than %s ago (their result and best trial kept)", archived,
                    settings.retention());
        }
    }

    private void save(Experiment e, Step step) {
        store(e);
        for (TrialOrder o : step.orders()) {
            context.forward(new Record<>(e.experimentId, toEvent(e, o), now()), SchedulerTopology.TRIAL_REQUESTED_SINK);
        }
        metrics.counter("hyperstar.scheduler.trials.requested").increment(step.orders().size());
        if (step.completed() != null) {
            Outcome o = step.completed();
            context.forward(new Record<>(e.experimentId, toEvent(e, o), now()), SchedulerTopology.EXPERIMENT_COMPLETED_SINK);
            metrics.counter("hyperstar.scheduler.experiments.completed", "outcome", o.reason().name(),
                    "strategy", e.spec.strategy().name()).increment();
            LOG.infof("experiment %s completed (%s, %s): best config %s top-1 %s, %d epochs, %d trials", e.experimentId,
                    e.spec.strategy(), o.reason(), o.bestConfigId(), o.bestTop1(), o.epochsUsed(), o.trialsRequested());
            // Every end frees the search's slot, or its place in its tenant's queue. Sent whether or not the tenant has a
            // limit now: a limit may have been set or removed while the search ran, and a release the tenant's half does
            // not need changes nothing there.
            if (e.tenant != null) {
                admission(AdmissionKind.RELEASE, e);
            }
        }
    }

    private TrialRequested toEvent(Experiment e, TrialOrder o) {
        return TrialRequested.newBuilder()
                .setTrialId(o.trialId())
                .setExperimentId(e.experimentId)
                .setDatasetId(e.datasetId)
                .setTenant(e.tenant)
                .setDatasetUri(e.datasetUri)
                .setDatasetFormat(io.hyperstar.events.DatasetFormat.valueOf(e.datasetFormat))
                .setConfigId(o.configId())
                .setConfig(space.config(o.configId()).values())
                .setEpochs(o.epochs())
                .setBracket(o.bracket())
                .setRung(o.rung())
                .setAttempt(o.attempt())
                .setResumeFromTrialId(o.resumeFromTrialId())
                .setResumeFromEpochs(o.resumeFromEpochs())
                .build();
    }

    private ExperimentCompleted toEvent(Experiment e, Outcome o) {
        return ExperimentCompleted.newBuilder()
                .setExperimentId(e.experimentId)
                .setDatasetId(e.datasetId)
                .setStrategy(io.hyperstar.events.Strategy.valueOf(e.spec.strategy().name()))
                // The contract has no symbol for a cancel (one would break readers of its first version): a cancel
                // cuts the budget to what was spent, and the flag says so.
                .setOutcome(o.reason() == Outcome.Reason.CANCELLED ? ExperimentOutcome.BUDGET_SPENT
                        : ExperimentOutcome.valueOf(o.reason().name()))
                .setCancelled(o.reason() == Outcome.Reason.CANCELLED)
                .setBestTrialId(o.bestTrialId())
                .setBestConfigId(o.bestConfigId())
                .setBestConfig(o.bestConfigId() == null ? java.util.Map.of() : space.config(o.bestConfigId()).values())
                .setBestTop1(o.bestTop1())
                .setBestEpochs(o.bestEpochs())
                .setEpochsUsed(o.epochsUsed())
                .setEpochsUsedAtBest(o.epochsUsedAtBest())
                .setTrialsRequested(o.trialsRequested())
                .setTrialsSucceeded(o.trialsSucceeded())
                .setTrialsFailed(o.trialsFailed())
                .setNote(o.note())
                .build();
    }

    private MetaDatasetRecord toMetaRecord(Experiment e, Trial t, List<Double> curve) {
        return MetaDatasetRecord.newBuilder()
                .setDatasetId(e.datasetId)
                .setDatasetUri(e.datasetUri)
                .setConfigId(t.configId)
                .setConfigSpaceFingerprint(space.fingerprint())
                .setEpochs(t.epochs)
                .setTop1(t.top1)
                .setCurve(curve)
                .setSourceTrialId(t.trialId)
                .build();
    }

    private TuningSpec spec(DatasetRegistered ev) {
        var t = ev.getTuning();
        // The contract's symbols and the core's are the same names; a symbol the core lacks is refused, not guessed.
        Strategy strategy;
        try {
            strategy = Strategy.valueOf(t.getStrategy().name());
        } catch (IllegalArgumentException unknown) {
            throw new InvalidEvent("strategy " + t.getStrategy() + " is not supported by this scheduler (supported: "
                    + java.util.Arrays.toString(Strategy.values()) + ")");
        }
        return new TuningSpec(strategy, t.getMaxEpochsPerTrial(), t.getEta(), t.getTotalEpochBudget(), t.getSeed(),
                t.getExplorationShare(), settings.maxRetries(), t.getParallelTrials());
    }

    /** The event, present and keyed by its experiment's id, or an {@link InvalidEvent} saying which it is not. */
    private static <T> T decode(Topic<String, T> from, String what, String key, Record<byte[], byte[]> record,
                                Function<T, String> experimentId) {
        T ev = decodeValue(from, what, record);
        requireKey(key, experimentId.apply(ev));
        return ev;
    }

    /** The event, present, or an {@link InvalidEvent} for a tombstone (unreadable bytes: a SerializationException). */
    static <T> T decodeValue(Topic<String, T> from, String what, Record<byte[], byte[]> record) {
        T ev = from.valueSerde().deserializer().deserialize(from.name(), record.value());
        if (ev == null) {
            throw new InvalidEvent(what + " value is missing (tombstone)");
        }
        return ev;
    }

    private static void requireKey(String key, String experimentId) {
        if (!Objects.equals(key, experimentId)) {
            throw new InvalidEvent("record key " + key + " must equal the experimentId " + experimentId
                    + " (all events of an experiment are keyed by its id)");
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, RecordMetadata source, String reason) {
        deadLetter(context, metrics, record, source, reason);
    }

    /** An input either half of the scheduler refused: logged, counted and kept as a dead letter with the reason. */
    static void deadLetter(ProcessorContext<Object, Object> context, MeterRegistry metrics, Record<byte[], byte[]> record,
                           RecordMetadata source, String reason) {
        LOG.warnf("dead letter from %s-%d@%d: %s", source.topic(), source.partition(), source.offset(), reason);
        metrics.counter("hyperstar.dead.letters", "role", "scheduler", "topic", source.topic()).increment();
        DeadLetter dl = DeadLetters.of(source.topic(), source.partition(), source.offset(), record.key(), record.value(),
                reason, "scheduler");
        context.forward(new Record<>(record.key(), dl, context.currentSystemTimeMs()), SchedulerTopology.DEAD_LETTER_SINK);
    }

    private void count(String disposition) {
        metrics.counter("hyperstar.scheduler.results", "disposition", disposition).increment();
    }

    private long now() {
        return context.currentSystemTimeMs();
    }

    private static Step merge(Step a, Step b) {
        List<TrialOrder> orders = new ArrayList<>(a.orders());
        orders.addAll(b.orders());
        return new Step(b.disposition(), orders, b.completed() != null ? b.completed() : a.completed());
    }
}
