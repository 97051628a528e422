package io.hyperstar.schedule;

import io.hyperstar.events.CancelRequested;
import io.hyperstar.events.DatasetFormat;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.DeadLetter;
import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.events.RankingComputed;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.events.TrialStatus;
import io.hyperstar.events.TuningRequest;
import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.ExperimentMachine;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.hyperband.TrialOrder;
import io.hyperstar.hyperband.TuningSpec;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.CurveTable;
import static io.hyperstar.testing.TestEvents.registration;
import static io.hyperstar.testing.TestEvents.simulate;
import static io.hyperstar.testing.TestEvents.tuning;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The scheduler topology end to end with Kafka Streams' test driver: every event a user can send, good or bad. */
class SchedulerTopologyTests {

    private static final CurveTable CURVES = CurveTable.synthetic();
    private static final ConfigSpace SPACE = ConfigSpace.bundled();
    private static final SchedulerSettings SETTINGS =
            new SchedulerSettings(2, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofHours(1));

    private final Topics topics = Topics.defaults();
    private TopologyTestDriver driver;
    private TestInputTopic<String, DatasetRegistered> registered;
    private TestInputTopic<String, TrialCompleted> completed;
    private TestInputTopic<String, RankingComputed> rankings;
    private TestInputTopic<byte[], byte[]> rawCompleted;
    private TestInputTopic<byte[], byte[]> rawRegistered;
    private TestInputTopic<String, CancelRequested> cancels;
    private TestInputTopic<byte[], byte[]> rawCancels;
    private TestOutputTopic<String, TrialRequested> requested;
    private TestOutputTopic<String, ExperimentCompleted> results;
    private TestOutputTopic<byte[], DeadLetter> deadLetters;
    private TestOutputTopic<String, MetaDatasetRecord> metaDataset;

    @BeforeEach
    void setUp() {
        start(SETTINGS);
    }

    private void start(SchedulerSettings settings) {
        Properties props = SchedulerTopology.streamsConfig("dummy:9092", "scheduler-test", "target/tt-" + System.nanoTime());
        driver = new TopologyTestDriver(SchedulerTopology.build(topics, settings, SPACE, new SimpleMeterRegistry()), props,
                Instant.ofEpochMilli(1_000_000));
        registered = driver.createInputTopic(topics.datasetRegistered.name(), Serdes.String().serializer(), topics.datasetRegistered.valueSerde().serializer());
        completed = driver.createInputTopic(topics.trialCompleted.name(), Serdes.String().serializer(), topics.trialCompleted.valueSerde().serializer());
        rankings = driver.createInputTopic(topics.rankingComputed.name(), Serdes.String().serializer(), topics.rankingComputed.valueSerde().serializer());
        rawCompleted = driver.createInputTopic(topics.trialCompleted.name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        rawRegistered = driver.createInputTopic(topics.datasetRegistered.name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        cancels = driver.createInputTopic(topics.cancelRequested.name(), Serdes.String().serializer(), topics.cancelRequested.valueSerde().serializer());
        rawCancels = driver.createInputTopic(topics.cancelRequested.name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
        requested = driver.createOutputTopic(topics.trialRequested.name(), Serdes.String().deserializer(), topics.trialRequested.valueSerde().deserializer());
        results = driver.createOutputTopic(topics.experimentCompleted.name(), Serdes.String().deserializer(), topics.experimentCompleted.valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetter.name(), Serdes.ByteArray().deserializer(), topics.deadLetter.valueSerde().deserializer());
        metaDataset = driver.createOutputTopic(topics.metaDataset.name(), Serdes.String().deserializer(), topics.metaDataset.valueSerde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void vanillaHyperbandRunsToItsEndAndRequestsExactlyWhatTheCorePlans() {
        registered.pipeInput("exp-1", registration("exp-1", "ds-1", Strategy.HYPERBAND, 9, 3, 0));
        List<TrialRequested> all = answerUntilDone();

        Simulator.Run expected = simulate("exp-1", "ds-1", 9, 3, 0);
        assertThat(all.stream().map(TrialRequested::getTrialId).toList())
                .containsExactlyInAnyOrderElementsOf(expected.orders().stream().map(TrialOrder::trialId).toList());
        List<ExperimentCompleted> done = results.readValuesToList();
        assertThat(done).hasSize(1);
        assertThat(done.get(0).getBestConfigId()).isEqualTo(expected.outcome().bestConfigId());
        assertThat(done.get(0).getBestTop1()).isEqualTo(expected.outcome().bestTop1());
        assertThat(done.get(0).getEpochsUsed()).isEqualTo(expected.outcome().epochsUsed());
        assertThat(done.get(0).getBestConfig()).isEqualTo(SPACE.config(expected.outcome().bestConfigId()).values());
        assertThat(store().get("exp-1").phase).isEqualTo(Experiment.Phase.DONE);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    /** BOHB and ASHA run through the streaming scheduler exactly as the core runs them offline (the figures' searches). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = Strategy.class, names = {"BOHB", "ASHA"})
    void bohbAndAshaRunToTheirEndExactlyAsTheCoreRunsThem(Strategy strategy) {
        registered.pipeInput("s-1", registration("s-1", "ds-3", strategy, 27, 3, 0));
        List<TrialRequested> all = answerUntilDone();

        Simulator.Run expected = simulate("s-1", "ds-3", io.hyperstar.hyperband.Strategy.valueOf(strategy.name()), 27, 3, 0);
        assertThat(all.stream().map(TrialRequested::getTrialId).toList())
                .containsExactlyElementsOf(expected.orders().stream().map(TrialOrder::trialId).toList());
        ExperimentCompleted done = results.readValue();
        assertThat(done.getStrategy()).isEqualTo(strategy);
        assertThat(done.getBestConfigId()).isEqualTo(expected.outcome().bestConfigId());
        assertThat(done.getEpochsUsed()).isEqualTo(expected.outcome().epochsUsed());
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    /**
     * ASHA promotes at any time and side-by-side brackets complete rungs out of order: the curves a promoted trial
     * continues must still be there, so every full-budget record runs from epoch 1 here too.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = Strategy.class, names = {"ASHA", "HYPERBAND"})
    void withoutARungBarrierEveryFullBudgetRecordStillHasItsCurveFromEpochOne(Strategy strategy) {
        int r = 27;
        registered.pipeInput("c", DatasetRegistered.newBuilder(registration("c", "ds-2", strategy, r, 3, 0))
                .setTuning(TuningRequest.newBuilder(tuning(strategy, r, 3, 0)).setParallelTrials(7).build()).build());
        List<TrialRequested> all = answerUntilDone();
        assertThat(results.readValue().getStrategy()).isEqualTo(strategy);
        List<String> fullBudget = all.stream().filter(t -> t.getEpochs() == r).map(TrialRequested::getTrialId).toList();
        // Some reached R by promotion, resumed from a checkpoint, reporting only their own epochs.
        assertThat(all).anyMatch(t -> t.getEpochs() == r && t.getResumeFromTrialId() != null);
        List<KeyValue<String, MetaDatasetRecord>> records = metaDataset.readKeyValuesToList();
        assertThat(records).extracting(kv -> kv.value.getSourceTrialId()).containsExactlyInAnyOrderElementsOf(fullBudget);
        for (KeyValue<String, MetaDatasetRecord> kv : records) {
            int config = kv.value.getConfigId();
            assertThat(kv.value.getCurve()).as("curve of %s", kv.value.getSourceTrialId())
                    .isEqualTo(IntStream.rangeClosed(1, r).mapToObj(ep -> CURVES.top1("ds-2", config, ep)).toList());
        }
    }

    @Test
    void hyperbandWithItsBracketsSideBySideTrainsTheSameTrialsAsOneAtATime() {
        registered.pipeInput("sbs", DatasetRegistered.newBuilder(registration("sbs", "ds-2", Strategy.HYPERBAND, 27, 3, 0))
                .setTuning(TuningRequest.newBuilder(tuning(Strategy.HYPERBAND, 27, 3, 0)).setParallelTrials(20).build()).build());
        List<TrialRequested> first = requested.readValuesToList();
        // 27 first-rung trials are not fewer than 20: the first bracket starts alone, the next when answers come.
        assertThat(first).hasSize(27);
        completed.pipeInput("sbs", answer(first.get(0), true).build());
        first.subList(1, 8).forEach(r -> completed.pipeInput("sbs", answer(r, true).build()));
        List<TrialRequested> second = requested.readValuesToList();
        assertThat(second).isNotEmpty().allSatisfy(r -> assertThat(r.getBracket()).isEqualTo(2));
        first.subList(8, 27).forEach(r -> completed.pipeInput("sbs", answer(r, true).build()));
        second.forEach(r -> completed.pipeInput("sbs", answer(r, true).build()));
        List<TrialRequested> rest = answerUntilDone();

        Simulator.Run alone = simulate("sbs", "ds-2", 27, 3, 0);
        List<String> asked = new ArrayList<>();
        List.of(first, second, rest).forEach(l -> l.forEach(r -> asked.add(r.getTrialId())));
        assertThat(asked).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(alone.orders().stream().map(TrialOrder::trialId).toList());
        assertThat(results.readValue().getBestConfigId()).isEqualTo(alone.outcome().bestConfigId());
    }

    @Test
    void taskAwareAshaWaitsForItsRankingThenKeepsItsWidthFromTheRankingsTop() {
        registered.pipeInput("tas", DatasetRegistered.newBuilder(registration("tas", "ds-4", Strategy.TASK_AWARE_ASHA, 9, 3, 0))
                .setTuning(TuningRequest.newBuilder(tuning(Strategy.TASK_AWARE_ASHA, 9, 3, 0)).setParallelTrials(4).build()).build());
        assertThat(requested.isEmpty()).isTrue();
        List<Integer> ranking = reversedIds();
        rankings.pipeInput("tas", ranking("tas", ranking));
        List<TrialRequested> first = requested.readValuesToList();
        assertThat(first).extracting(TrialRequested::getConfigId).containsExactlyElementsOf(ranking.subList(0, 4));
        completed.pipeInput("tas", answer(first.get(0), true).build());
        List<TrialRequested> next = requested.readValuesToList();
        assertThat(next).extracting(TrialRequested::getConfigId).containsExactly(ranking.get(4));
        for (TrialRequested r : first.subList(1, 4)) {
            completed.pipeInput("tas", answer(r, true).build());
        }
        completed.pipeInput("tas", answer(next.get(0), true).build());
        List<TrialRequested> rest = answerUntilDone();
        assertThat(rest).isNotEmpty();
        assertThat(results.readValue().getStrategy()).isEqualTo(Strategy.TASK_AWARE_ASHA);
    }

    @Test
    void trialRequestsCarryTheDatasetConfigurationAndResumePoint() {
        registered.pipeInput("exp-2", registration("exp-2", "ds-2", Strategy.HYPERBAND, 9, 3, 0));
        TrialRequested first = requested.readValue();
        assertThat(first.getDatasetUri()).isEqualTo("file:///data/ds-2");
        assertThat(first.getTenant()).isEqualTo("team-a");
        assertThat(first.getConfig()).isEqualTo(SPACE.config(first.getConfigId()).values());
        assertThat(first.getEpochs()).isEqualTo(1);
        assertThat(first.getResumeFromTrialId()).isNull();
        completed.pipeInput("exp-2", answer(first, true).build());
        List<TrialRequested> all = answerUntilDone();
        TrialRequested promoted = all.stream().filter(r -> r.getRung() == 1).findFirst().orElseThrow();
        assertThat(promoted.getResumeFromTrialId()).isEqualTo(ExperimentMachine.trialId("exp-2", promoted.getBracket(), 0, promoted.getConfigId(), 0));
        assertThat(promoted.getResumeFromEpochs()).isEqualTo(1);
    }

    @Test
    void duplicateResultsAreIgnored() {
        registered.pipeInput("exp-3", registration("exp-3", "ds-3", Strategy.HYPERBAND, 9, 3, 0));
        List<TrialRequested> seen = new ArrayList<>();
        while (results.isEmpty()) {
            List<TrialRequested> batch = requested.readValuesToList();
            seen.addAll(batch);
            for (TrialRequested r : batch) {
                completed.pipeInput(r.getExperimentId(), answer(r, true).build());
                completed.pipeInput(r.getExperimentId(), answer(r, true).build());
            }
        }
        assertThat(seen).extracting(TrialRequested::getTrialId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(simulate("exp-3", "ds-3", 9, 3, 0).orders().stream().map(TrialOrder::trialId).toList());
        assertThat(store().get("exp-3").duplicateResults).isEqualTo(seen.size());
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void everyFullBudgetSuccessGoesToTheMetaDatasetOnceWithItsCurveFromEpochOne() {
        int r = 9;
        registered.pipeInput("meta", registration("meta", "ds-1", Strategy.HYPERBAND, r, 3, 0));
        // Every answer is given, full-budget ones twice (a redelivery); the first full-budget configuration of the
        // last bracket fails on every attempt.
        List<String> fullBudgetSucceeded = new ArrayList<>();
        Integer victim = null;
        while (results.isEmpty()) {
            List<TrialRequested> batch = requested.readValuesToList();
            assertThat(batch).isNotEmpty();
            for (TrialRequested t : batch) {
                if (victim == null && t.getBracket() == 0) {
                    victim = t.getConfigId();
                }
                boolean ok = !(t.getBracket() == 0 && t.getConfigId() == victim);
                completed.pipeInput("meta", answer(t, ok).build());
                if (t.getEpochs() == r && ok) {
                    completed.pipeInput("meta", answer(t, ok).build());
                    fullBudgetSucceeded.add(t.getTrialId());
                }
            }
        }
        assertThat(results.readValue().getTrialsFailed()).isEqualTo(3);

        List<KeyValue<String, MetaDatasetRecord>> records = metaDataset.readKeyValuesToList();
        // Lower rungs (1 and 3 epochs), the failed attempts and the redeliveries add nothing.
        assertThat(records).extracting(kv -> kv.value.getSourceTrialId()).containsExactlyInAnyOrderElementsOf(fullBudgetSucceeded);
        for (KeyValue<String, MetaDatasetRecord> kv : records) {
            MetaDatasetRecord m = kv.value;
            int config = m.getConfigId();
            assertThat(kv.key).isEqualTo("ds-1/" + config);
            assertThat(m.getDatasetId()).isEqualTo("ds-1");
            assertThat(m.getDatasetUri()).isEqualTo("file:///data/ds-1");
            assertThat(m.getConfigSpaceFingerprint()).isEqualTo(SPACE.fingerprint());
            assertThat(m.getEpochs()).isEqualTo(r);
            assertThat(m.getTop1()).isEqualTo(CURVES.top1("ds-1", config, r));
            // Promoted trials resume from a checkpoint and report only their own epochs; the record runs from epoch 1.
            assertThat(m.getCurve()).isEqualTo(IntStream.rangeClosed(1, r).mapToObj(ep -> CURVES.top1("ds-1", config, ep)).toList());
        }
        // Trials promoted to R are among them (brackets 2 and 1 resume from 3 epochs, themselves resumed in bracket 2).
        assertThat(records).anyMatch(kv -> !kv.value.getSourceTrialId().contains("-b0-"));

        // A redelivery after the search ended adds none either.
        TrialRequested last = requestOf(store().get("meta"), fullBudgetSucceeded.get(fullBudgetSucceeded.size() - 1));
        completed.pipeInput("meta", answer(last, true).build());
        assertThat(metaDataset.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void failedTrialIsRetriedThenCountsAsFailed() {
        registered.pipeInput("exp-4", registration("exp-4", "ds-1", Strategy.HYPERBAND, 9, 3, 0));
        TrialRequested victim = requested.readValuesToList().get(0);
        List<String> attempts = new ArrayList<>();
        TrialRequested current = victim;
        for (int i = 0; i < 3; i++) {
            attempts.add(current.getTrialId());
            completed.pipeInput("exp-4", answer(current, false).build());
            TrialRequested next = current;
            current = requested.readValuesToList().stream().filter(r -> r.getConfigId() == next.getConfigId()).findFirst().orElse(null);
        }
        assertThat(attempts).containsExactly(victim.getTrialId(), victim.getTrialId() + "-a1", victim.getTrialId() + "-a2");
        assertThat(current).as("no fourth attempt").isNull();
        // The other trials of the rung still complete it: the search goes on without the failed configuration.
        Experiment e = store().get("exp-4");
        for (var t : e.trials.values()) {
            if (t.outstanding()) {
                completed.pipeInput("exp-4", answer(requestOf(e, t.trialId), true).build());
            }
        }
        answerUntilDone();
        ExperimentCompleted done = results.readValue();
        assertThat(done.getTrialsFailed()).isEqualTo(3);
        assertThat(done.getBestConfigId()).isNotEqualTo(victim.getConfigId());
    }

    @Test
    void timedOutTrialIsRetriedAndALateAnswerIsRecordedWithoutEffect() {
        registered.pipeInput("exp-5", registration("exp-5", "ds-2", Strategy.HYPERBAND, 1, 2, 0));
        List<TrialRequested> first = requested.readValuesToList();
        assertThat(first).hasSize(1);
        driver.advanceWallClockTime(Duration.ofMinutes(11));
        List<TrialRequested> retry = requested.readValuesToList();
        assertThat(retry).extracting(TrialRequested::getTrialId).containsExactly(first.get(0).getTrialId() + "-a1");
        completed.pipeInput("exp-5", answer(retry.get(0), true).build());
        assertThat(results.readValue().getBestTrialId()).isEqualTo(retry.get(0).getTrialId());

        completed.pipeInput("exp-5", answer(first.get(0), true).build()); // the first attempt answers after the end
        assertThat(store().get("exp-5").trials.get(first.get(0).getTrialId()).lateResults).isEqualTo(1);
        assertThat(results.isEmpty()).isTrue();
        assertThat(requested.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aCancelledSearchEndsAtOnceAndItsTrialsInFlightNeitherCountNorReachTheMetaDataset() {
        // R = 3, eta = 3: bracket s=1 (3 trials at 1 epoch, the best promoted to 3), then bracket s=0 (2 trials at 3).
        registered.pipeInput("cx", registration("cx", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        requested.readValuesToList().forEach(r -> completed.pipeInput("cx", answer(r, true).build()));
        TrialRequested promoted = requested.readValue();
        completed.pipeInput("cx", answer(promoted, true).build());
        List<TrialRequested> lastBracket = requested.readValuesToList();
        assertThat(lastBracket).hasSize(2).allSatisfy(r -> assertThat(r.getEpochs()).isEqualTo(3));
        completed.pipeInput("cx", answer(lastBracket.get(0), true).build());
        assertThat(metaDataset.readValuesToList()).as("full-budget results before the cancel").hasSize(2);

        cancels.pipeInput("cx", CancelRequested.newBuilder().setExperimentId("cx").setReason("wrong dataset").setRequestedBy("alice").build());

        ExperimentCompleted done = results.readValue();
        assertThat(done.getCancelled()).isTrue();
        assertThat(done.getOutcome()).isEqualTo(io.hyperstar.events.ExperimentOutcome.BUDGET_SPENT);
        assertThat(done.getNote()).isEqualTo("cancelled: wrong dataset (by alice) (1 trial(s) in flight abandoned)");
        assertThat(done.getTrialsRequested()).isEqualTo(6);
        assertThat(done.getTrialsSucceeded()).isEqualTo(5);
        assertThat(done.getTrialsFailed()).isZero();
        assertThat(done.getEpochsUsed()).as("3 x 1 epoch, the promotion resumed from 1 to 3, one trial of 3").isEqualTo(3 + 2 + 3);
        String best = java.util.stream.Stream.of(promoted, lastBracket.get(0))
                .max(java.util.Comparator.comparingDouble((TrialRequested r) -> CURVES.top1("ds-1", r.getConfigId(), 3)))
                .orElseThrow().getTrialId();
        assertThat(done.getBestTrialId()).as("the best of what was answered").isEqualTo(best);
        driver.advanceWallClockTime(Duration.ofSeconds(2)); // the next check moves it off the running index
        assertThat(runningIds()).doesNotContain("cx");
        assertThat(finishedIds()).as("queued for archiving").containsExactly("cx");

        // The abandoned trial still answers: recorded as late, and nothing else happens.
        completed.pipeInput("cx", answer(lastBracket.get(1), true).build());
        var abandoned = store().get("cx").trials.get(lastBracket.get(1).getTrialId());
        assertThat(abandoned.status).isEqualTo(io.hyperstar.hyperband.Trial.Status.CANCELLED);
        assertThat(abandoned.lateResults).isEqualTo(1);
        assertThat(requested.isEmpty()).isTrue();
        assertThat(results.isEmpty()).isTrue();
        assertThat(metaDataset.isEmpty()).as("a cancelled search's late results are not folded").isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();

        // The read API says what happened.
        var view = io.hyperstar.api.ExperimentView.of(store().get("cx"), true);
        assertThat(view.phase()).isEqualTo("DONE");
        assertThat(view.outcome().reason()).isEqualTo(io.hyperstar.hyperband.Outcome.Reason.CANCELLED);
    }

    @Test
    void aSearchWaitingForItsRankingCanBeCancelledAndTheRankingThenStartsNothing() {
        registered.pipeInput("cw", registration("cw", "ds-4", Strategy.TASK_AWARE_HYPERBAND, 9, 3, 0));
        cancels.pipeInput("cw", CancelRequested.newBuilder().setExperimentId("cw").build());
        ExperimentCompleted done = results.readValue();
        assertThat(done.getCancelled()).isTrue();
        assertThat(done.getNote()).isEqualTo("cancelled");
        assertThat(done.getTrialsRequested()).isZero();
        assertThat(done.getBestTrialId()).isNull();
        rankings.pipeInput("cw", ranking("cw", reversedIds()));
        driver.advanceWallClockTime(Duration.ofMinutes(2)); // nor does the ranking timeout
        assertThat(requested.isEmpty()).isTrue();
        assertThat(results.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aCancelForNoSearchAnEndedOneOrWithTheWrongKeyIsADeadLetterWithTheReason() {
        registered.pipeInput("ce", registration("ce", "ds-2", Strategy.HYPERBAND, 1, 2, 0));
        answerUntilDone();
        ExperimentCompleted ended = results.readValue();

        cancels.pipeInput("nobody", CancelRequested.newBuilder().setExperimentId("nobody").build());
        cancels.pipeInput("ce", CancelRequested.newBuilder().setExperimentId("ce").build());
        cancels.pipeInput("other", CancelRequested.newBuilder().setExperimentId("ce").build());
        rawCancels.pipeInput("ce".getBytes(StandardCharsets.UTF_8), "stop!".getBytes(StandardCharsets.UTF_8));

        assertThat(deadLetters.readValuesToList()).extracting(DeadLetter::getReason).satisfiesExactly(
                r -> assertThat(r).isEqualTo("unknown experiment nobody: nothing to cancel"),
                r -> assertThat(r).isEqualTo("experiment ce already ended (ALL_BRACKETS_DONE): nothing to cancel"),
                r -> assertThat(r).contains("must equal the experimentId ce"),
                r -> assertThat(r).contains("not a readable CancelRequested"));
        assertThat(results.isEmpty()).isTrue();
        assertThat(store().get("ce").outcome.bestTrialId()).isEqualTo(ended.getBestTrialId());
    }

    @Test
    void malformedBytesBecomeDeadLettersAndTheSchedulerGoesOn() {
        rawCompleted.pipeInput("exp-x".getBytes(StandardCharsets.UTF_8), "{not avro}".getBytes(StandardCharsets.UTF_8));
        rawRegistered.pipeInput("exp-y".getBytes(StandardCharsets.UTF_8), new byte[]{(byte) 0xC3, 0x01, 7});
        List<DeadLetter> dead = deadLetters.readValuesToList();
        assertThat(dead).hasSize(2);
        assertThat(dead.get(0).getSourceTopic()).isEqualTo(topics.trialCompleted.name());
        assertThat(dead.get(0).getOffset()).isZero();
        assertThat(dead.get(0).getReason()).contains("not a readable TrialCompleted");
        assertThat(StandardCharsets.UTF_8.decode(dead.get(0).getPayload()).toString()).isEqualTo("{not avro}");
        assertThat(dead.get(1).getSourceTopic()).isEqualTo(topics.datasetRegistered.name());

        registered.pipeInput("exp-6", registration("exp-6", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        assertThat(requested.readValuesToList()).isNotEmpty();
    }

    @Test
    void outOfRangeRequestsAndResultsBecomeDeadLettersWithTheReason() {
        registered.pipeInput("bad-eta", registration("bad-eta", "ds-1", Strategy.HYPERBAND, 9, 1, 0));
        registered.pipeInput("bad-r", registration("bad-r", "ds-1", Strategy.HYPERBAND, 0, 3, 0));
        registered.pipeInput("bad-budget", registration("bad-budget", "ds-1", Strategy.HYPERBAND, 27, 3, -1));
        registered.pipeInput("wide", DatasetRegistered.newBuilder(registration("wide", "ds-1", Strategy.ASHA, 9, 3, 0))
                .setTuning(TuningRequest.newBuilder(tuning(Strategy.ASHA, 9, 3, 0)).setParallelTrials(1_000_000).build()).build());
        registered.pipeInput("wrong-key", registration("other-id", "ds-1", Strategy.HYPERBAND, 9, 3, 0));
        registered.pipeInput("ok", registration("ok", "ds-1", Strategy.HYPERBAND, 9, 3, 0));
        TrialRequested r = requested.readValuesToList().get(0);
        completed.pipeInput("ok", answer(r, true).setTop1(1.7).build());
        completed.pipeInput("ok", answer(r, true).setTop1(-0.1).build());
        completed.pipeInput("ok", answer(r, true).setTrialId("ok-b9-r0-c0").build());
        completed.pipeInput("nobody", answer(r, true).setExperimentId("nobody").build());

        List<String> reasons = deadLetters.readValuesToList().stream().map(DeadLetter::getReason).toList();
        assertThat(reasons).satisfiesExactly(
                x -> assertThat(x).contains("eta must be at least 2"),
                x -> assertThat(x).contains("maxEpochsPerTrial (R) must be in 1.."),
                x -> assertThat(x).contains("totalEpochBudget must be >= 0"),
                x -> assertThat(x).contains("parallelTrials must be in 0..10000 (0 = default), got 1000000"),
                x -> assertThat(x).contains("must equal the experimentId"),
                x -> assertThat(x).contains("top1 accuracy must be in [0, 1], got 1.7"),
                x -> assertThat(x).contains("top1 accuracy must be in [0, 1], got -0.1"),
                x -> assertThat(x).contains("unknown trial ok-b9-r0-c0"),
                x -> assertThat(x).contains("unknown experiment nobody"));
        // The good experiment was not disturbed: its trial is still waiting for a valid answer.
        assertThat(store().get("ok").trials.get(r.getTrialId()).outstanding()).isTrue();
    }

    @Test
    void budgetTooSmallForOneTrialIsRefused() {
        registered.pipeInput("tiny", DatasetRegistered.newBuilder(registration("tiny", "ds-1", Strategy.HYPERBAND, 27, 3, 0))
                .setTuning(tuning(Strategy.HYPERBAND, 9, 10, 5)).build());
        assertThat(deadLetters.readValue().getReason()).contains("cannot pay for a single trial");
    }

    @Test
    void taskAwareExperimentWaitsForItsRankingAndStartsFromItsTop() {
        registered.pipeInput("ta", registration("ta", "ds-4", Strategy.TASK_AWARE_HYPERBAND, 9, 3, 0));
        assertThat(requested.isEmpty()).isTrue();
        List<Integer> ranking = reversedIds();
        rankings.pipeInput("ta", ranking("ta", ranking));
        assertThat(requested.readValuesToList()).extracting(TrialRequested::getConfigId).containsExactlyElementsOf(ranking.subList(0, 9));
        assertThat(store().get("ta").rankingModel).as("kept for the read API").isEqualTo("test");
    }

    @Test
    void aRankingThatArrivesBeforeItsRegistrationIsKept() {
        List<Integer> ranking = reversedIds();
        rankings.pipeInput("early", ranking("early", ranking));
        registered.pipeInput("early", registration("early", "ds-4", Strategy.TASK_AWARE_HYPERBAND, 9, 3, 0));
        assertThat(requested.readValuesToList()).extracting(TrialRequested::getConfigId).containsExactlyElementsOf(ranking.subList(0, 9));
    }

    @Test
    void taskAwareFallsBackToVanillaWhenNoRankingComesAndSaysSo() {
        registered.pipeInput("fb", registration("fb", "ds-4", Strategy.TASK_AWARE_HYPERBAND, 9, 3, 0));
        driver.advanceWallClockTime(Duration.ofMinutes(2));
        List<TrialRequested> first = requested.readValuesToList();
        assertThat(first).hasSize(9);
        first.forEach(r -> completed.pipeInput("fb", answer(r, true).build()));
        answerUntilDone();
        assertThat(results.readValue().getNote()).contains("fell back to vanilla Hyperband: no ranking within 60000 ms");
    }

    @Test
    void aRefusedDatasetMakesTaskAwareFallBackWithTheRecommendersReason() {
        registered.pipeInput("rf", registration("rf", "ds-4", Strategy.TASK_AWARE_HYPERBAND, 9, 3, 0));
        rankings.pipeInput("rf", RankingComputed.newBuilder(ranking("rf", List.of())).setOk(false).setError("no images under /data/rf").build());
        assertThat(requested.readValuesToList()).hasSize(9);
        assertThat(store().get("rf").note).contains("no images under /data/rf");
    }

    @Test
    void theTimeoutCheckVisitsOnlyExperimentsNotYetDone() {
        registered.pipeInput("ix-done", registration("ix-done", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        answerUntilDone();
        assertThat(results.readValuesToList()).hasSize(1);
        registered.pipeInput("ix-run", registration("ix-run", "ds-2", Strategy.HYPERBAND, 1, 2, 0));
        assertThat(requested.readValuesToList()).hasSize(1);
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(runningIds()).containsExactly("ix-run");
        assertThat(store().get("ix-done").phase).isEqualTo(Experiment.Phase.DONE);
    }

    @Test
    void stateFromBeforeTheRunningIndexIsIndexedOnceAndItsTimeoutsStillFire() {
        registered.pipeInput("old", registration("old", "ds-2", Strategy.HYPERBAND, 1, 2, 0));
        TrialRequested first = requested.readValuesToList().get(0);
        // As if restored from a changelog written before the index existed: the experiment is stored, not indexed.
        driver.<String, Long>getKeyValueStore(SchedulerTopology.RUNNING_STORE).delete("old");
        driver.advanceWallClockTime(Duration.ofMinutes(11));
        assertThat(requested.readValuesToList()).extracting(TrialRequested::getTrialId)
                .containsExactly(first.getTrialId() + "-a1");
        assertThat(runningIds()).containsExactly("old");
    }

    /**
     * Retention (1 h here): a finished search keeps every trial for the retention period, then is archived to its
     * result, request, ranking and best trial. It is still the same search to every later event: a repeated registration
     * is ignored, a cancel or a stray answer is a dead letter that says why.
     */
    @Test
    void aSearchFinishedLongerAgoThanTheRetentionIsArchivedAndStillAnswersForItself() {
        registered.pipeInput("arch", registration("arch", "ds-1", Strategy.HYPERBAND, 9, 3, 0));
        List<TrialRequested> all = answerUntilDone();
        ExperimentCompleted result = results.readValue();
        long finishedAt = store().get("arch").completedAtMs;
        assertThat(finishedAt).isEqualTo(1_000_000);
        Experiment whole = store().get("arch");
        assertThat(whole.trials).hasSize(all.size());

        driver.advanceWallClockTime(Duration.ofMinutes(59));
        assertThat(store().get("arch").archived).as("not before the retention period").isFalse();
        assertThat(store().get("arch").trials).hasSize(all.size());
        driver.advanceWallClockTime(Duration.ofMinutes(2));
        Experiment archived = store().get("arch");
        assertThat(archived.archived).isTrue();
        assertThat(archived.completedAtMs).isEqualTo(finishedAt);
        assertThat(archived.trials.keySet()).containsExactly(result.getBestTrialId());
        assertThat(archived.outcome).isEqualTo(whole.outcome);
        assertThat(io.hyperstar.api.ExperimentView.of(archived, true).trialsRequested()).isEqualTo(all.size());
        assertThat(finishedIds()).as("archived searches leave the index").isEmpty();

        registered.pipeInput("arch", registration("arch", "ds-1", Strategy.HYPERBAND, 9, 3, 0));
        assertThat(requested.isEmpty()).as("the same request again is still recognised, not run twice").isTrue();
        assertThat(results.isEmpty()).isTrue();
        assertThat(deadLetters.isEmpty()).isTrue();

        TrialRequested dropped = all.stream().filter(r -> !r.getTrialId().equals(result.getBestTrialId())).findFirst().orElseThrow();
        completed.pipeInput("arch", answer(dropped, true).build());
        assertThat(deadLetters.readValue().getReason()).contains("trial " + dropped.getTrialId() + " of experiment arch")
                .contains("archived after the retention period (PT1H)");
        cancels.pipeInput("arch", CancelRequested.newBuilder().setExperimentId("arch").setReason("late").setRequestedBy("bob").build());
        assertThat(deadLetters.readValue().getReason()).contains("already");
        assertThat(requested.isEmpty()).isTrue();
        assertThat(store().get("arch").archived).isTrue();
    }

    /** Searches finished before this release have no end time: they are dated at the first check, then kept a full period. */
    @Test
    void searchesFinishedBeforeArchivingExistedAreDatedAtTheFirstCheckAndKeptAFullRetentionPeriod() {
        registered.pipeInput("pre", registration("pre", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        answerUntilDone();
        // As if restored from a changelog of layout 3: done, with no end time, and in no finished index.
        Experiment e = store().get("pre");
        e.completedAtMs = 0;
        store().put("pre", e);
        clear(TimeIndex.FINISHED);

        driver.advanceWallClockTime(Duration.ofMinutes(30));
        long firstCheck = store().get("pre").completedAtMs;
        assertThat(firstCheck).isBetween(1_000_000L + 1, 1_000_000L + Duration.ofMinutes(30).toMillis());
        assertThat(store().get("pre").archived).isFalse();
        driver.advanceWallClockTime(Duration.ofMinutes(45));
        assertThat(store().get("pre").archived).as("75 minutes after the finish, 45 after it was dated").isFalse();
        driver.advanceWallClockTime(Duration.ofMinutes(20));
        assertThat(store().get("pre").archived).isTrue();
    }

    /** Retention 0: every search is kept whole. */
    @Test
    void aZeroRetentionKeepsEverySearchWhole() {
        driver.close();
        start(new SchedulerSettings(2, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ZERO));
        registered.pipeInput("keep", registration("keep", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        int trials = answerUntilDone().size();
        driver.advanceWallClockTime(Duration.ofDays(400));
        assertThat(store().get("keep").archived).isFalse();
        assertThat(store().get("keep").trials).hasSize(trials);
    }

    /**
     * The read API lists the newest searches first from the creation index, without reading every search: each accepted
     * registration is indexed once, a refused one never; state from before the index is indexed at the first check.
     */
    @Test
    void everyAcceptedRegistrationIsIndexedByCreationTimeOnceAndEarlierStateAtTheFirstCheck() {
        registered.pipeInput("b-first", registration("b-first", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        driver.advanceWallClockTime(Duration.ofSeconds(5));
        registered.pipeInput("a-second", registration("a-second", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        registered.pipeInput("a-second", registration("a-second", "ds-1", Strategy.HYPERBAND, 3, 3, 0)); // again: ignored
        registered.pipeInput("bad", registration("bad", "ds-1", Strategy.HYPERBAND, 3, 1, 0)); // eta 1: refused
        assertThat(deadLetters.readValuesToList()).hasSize(1);
        assertThat(createdIds()).containsExactly("b-first", "a-second"); // oldest first, whatever the ids
    }

    @Test
    void experimentsStoredBeforeTheCreationIndexAreIndexedAtTheFirstCheck() {
        registered.pipeInput("b-old", registration("b-old", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        registered.pipeInput("a-old", registration("a-old", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        // As if restored from a changelog of layout 3, before any check: no index.
        clear(TimeIndex.CREATED);
        assertThat(createdIds()).isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(createdIds()).containsExactly("a-old", "b-old"); // the same creation time: by id
        assertThat(index().get(TimeIndex.complete(TimeIndex.CREATED))).isNotNull();
    }

    // --- helpers ---


    /** The experiment ids a list of the time index holds, in its order (time, then id). */
    private List<String> indexIds(String list) {
        List<String> ids = new ArrayList<>();
        try (var it = index().range(TimeIndex.first(list), TimeIndex.last(list))) {
            it.forEachRemaining(kv -> ids.add(kv.value));
        }
        return ids;
    }

    private List<String> finishedIds() {
        return indexIds(TimeIndex.FINISHED);
    }

    private List<String> createdIds() {
        return indexIds(TimeIndex.CREATED);
    }

    /** Empties a list of the time index, marker included, as state restored from a release before it would have it. */
    private void clear(String list) {
        List<String> keys = new ArrayList<>();
        try (var it = index().range(TimeIndex.first(list), TimeIndex.last(list))) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(index()::delete);
        index().delete(TimeIndex.complete(list));
    }

    private KeyValueStore<String, String> index() {
        return driver.getKeyValueStore(SchedulerTopology.TIME_INDEX_STORE);
    }

    private List<String> runningIds() {
        List<String> ids = new ArrayList<>();
        try (var it = driver.<String, Long>getKeyValueStore(SchedulerTopology.RUNNING_STORE).all()) {
            it.forEachRemaining(kv -> {
                if (!kv.key.equals(SchedulerProcessor.INDEXED)) {
                    ids.add(kv.key);
                }
            });
        }
        return ids;
    }

    /**
     * A tenant over its quota: its further searches wait, request nothing, and start in the order they were registered
     * as its running ones end; a queued search can be cancelled (and never starts), and other tenants are not held up.
     */
    @Test
    void aTenantOverItsQuotaQueuesItsSearchesAndStartsEachAsOneOfItsRunningOnesEnds() {
        driver.close();
        start(SETTINGS.withQuota(new TenantQuota(0, java.util.Map.of("team-a", 2))));
        for (String id : List.of("a1", "a2", "a3", "a4", "a5")) {
            registered.pipeInput(id, registration(id, quotaDataset(id), Strategy.HYPERBAND, 3, 3, 0));
        }
        registered.pipeInput("b1", DatasetRegistered.newBuilder(registration("b1", quotaDataset("b1"), Strategy.HYPERBAND, 3, 3, 0))
                .setTenant("team-b").build());

        List<TrialRequested> first = requested.readValuesToList();
        assertThat(first).extracting(TrialRequested::getExperimentId).containsOnly("a1", "a2", "b1");
        assertThat(List.of("a3", "a4", "a5")).allSatisfy(id -> {
            assertThat(store().get(id).phase).isEqualTo(Experiment.Phase.QUEUED);
            assertThat(store().get(id).trials).isEmpty();
        });

        // A queued search is cancelled: it ends at once, having trained nothing, and gives up its place in the queue.
        cancels.pipeInput("a4", CancelRequested.newBuilder().setExperimentId("a4").setReason("not needed").build());
        ExperimentCompleted a4 = results.readValue();
        assertThat(a4.getExperimentId()).isEqualTo("a4");
        assertThat(a4.getCancelled()).isTrue();
        assertThat(a4.getTrialsRequested()).isZero();

        // a1 runs to its end: the first queued search, a3, takes its slot; a5 still waits.
        List<TrialRequested> pending = new ArrayList<>(first);
        answerAll(pending, "a1");
        assertThat(results.readValuesToList()).extracting(ExperimentCompleted::getExperimentId).containsExactly("a1");
        List<TrialRequested> next = requested.readValuesToList();
        assertThat(next).extracting(TrialRequested::getExperimentId).containsOnly("a3");
        pending.addAll(next);
        assertThat(store().get("a3").phase).isEqualTo(Experiment.Phase.RUNNING);
        assertThat(store().get("a5").phase).isEqualTo(Experiment.Phase.QUEUED);

        // Everything else to its end, in any order: at no time does team-a run more than two searches.
        int mostRunning = 0;
        for (int round = 0; round < 1000 && !pending.isEmpty(); round++) {
            TrialRequested r = pending.remove(0);
            completed.pipeInput(r.getExperimentId(), answer(r, true).build());
            pending.addAll(requested.readValuesToList());
            int running = (int) List.of("a1", "a2", "a3", "a4", "a5").stream()
                    .filter(id -> store().get(id).phase == Experiment.Phase.RUNNING).count();
            mostRunning = Math.max(mostRunning, running);
        }
        List<ExperimentCompleted> rest = results.readValuesToList();
        assertThat(rest).extracting(ExperimentCompleted::getExperimentId).containsExactlyInAnyOrder("a2", "a3", "a5", "b1");
        assertThat(mostRunning).isEqualTo(2);
        // Each queued search ends exactly as it would have alone, and its result says it waited.
        for (ExperimentCompleted done : rest) {
            Simulator.Run alone = simulate(done.getExperimentId(), quotaDataset(done.getExperimentId()), 3, 3, 0);
            assertThat(done.getBestConfigId()).isEqualTo(alone.outcome().bestConfigId());
            assertThat(done.getEpochsUsed()).isEqualTo(alone.outcome().epochsUsed());
        }
        assertThat(rest).filteredOn(d -> List.of("a3", "a5").contains(d.getExperimentId()))
                .allSatisfy(d -> assertThat(d.getNote()).matches("waited \\d+ s for one of tenant team-a's 2 running searches to end"));
        assertThat(rest).filteredOn(d -> List.of("a2", "b1").contains(d.getExperimentId()))
                .allSatisfy(d -> assertThat(d.getNote()).isEmpty());
        assertThat(deadLetters.isEmpty()).isTrue();
        KeyValueStore<String, TenantSlots> slots = driver.getKeyValueStore(SchedulerTopology.TENANT_SLOTS_STORE);
        assertThat(slots.get("team-a")).as("every slot given back").isNull();
    }

    /** A limit of 0 for a named tenant lifts the default limit for it alone. */
    @Test
    void aTenantWithoutALimitStartsEverySearchAtOnceWhileOthersQueue() {
        driver.close();
        start(SETTINGS.withQuota(new TenantQuota(1, java.util.Map.of("team-a", 0))));
        for (String id : List.of("a1", "a2", "a3")) {
            registered.pipeInput(id, registration(id, quotaDataset(id), Strategy.HYPERBAND, 3, 3, 0));
        }
        for (String id : List.of("b1", "b2")) {
            registered.pipeInput(id, DatasetRegistered.newBuilder(registration(id, quotaDataset(id), Strategy.HYPERBAND, 3, 3, 0))
                    .setTenant("team-b").build());
        }
        assertThat(requested.readValuesToList()).extracting(TrialRequested::getExperimentId).containsOnly("a1", "a2", "a3", "b1");
        assertThat(store().get("b2").phase).isEqualTo(Experiment.Phase.QUEUED);
    }

    /** A task-aware search's ranking that comes while the search is queued is kept, and the search starts from it. */
    @Test
    void aRankingThatArrivesWhileTheSearchIsQueuedIsWhatItStartsFrom() {
        driver.close();
        start(SETTINGS.withQuota(new TenantQuota(1, java.util.Map.of())));
        registered.pipeInput("q1", registration("q1", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        registered.pipeInput("q2", registration("q2", "ds-2", Strategy.TASK_AWARE_HYPERBAND, 3, 3, 0));
        List<Integer> ranking = reversedIds();
        rankings.pipeInput("q2", ranking("q2", ranking));
        assertThat(store().get("q2").phase).isEqualTo(Experiment.Phase.QUEUED);

        List<TrialRequested> pending = new ArrayList<>(requested.readValuesToList());
        answerAll(pending, "q1");
        List<TrialRequested> q2 = requested.readValuesToList();
        assertThat(q2).isNotEmpty().allSatisfy(r -> assertThat(r.getExperimentId()).isEqualTo("q2"));
        assertThat(q2).extracting(TrialRequested::getConfigId).as("the first bracket: the ranking's top")
                .containsExactlyInAnyOrderElementsOf(ranking.subList(0, q2.size()));
        assertThat(store().get("q2").ranking).isEqualTo(ranking);
    }

    /** A queued task-aware search whose ranking never came falls back when it starts, and its result says both. */
    @Test
    void aSearchThatWaitedAndThenFellBackSaysBoth() {
        driver.close();
        start(SETTINGS.withQuota(new TenantQuota(1, java.util.Map.of())));
        registered.pipeInput("w1", registration("w1", "ds-1", Strategy.HYPERBAND, 3, 3, 0));
        registered.pipeInput("w2", registration("w2", "ds-2", Strategy.TASK_AWARE_HYPERBAND, 3, 3, 0));
        driver.advanceWallClockTime(Duration.ofMinutes(2)); // longer than the ranking timeout, while w2 waits
        assertThat(store().get("w2").phase).as("no timeout runs for a queued search").isEqualTo(Experiment.Phase.QUEUED);

        answerAll(new ArrayList<>(requested.readValuesToList()), "w1");
        assertThat(results.readValue().getExperimentId()).isEqualTo("w1");
        driver.advanceWallClockTime(Duration.ofSeconds(2)); // the next check: no ranking within the timeout
        answerUntilDone();
        ExperimentCompleted w2 = results.readValue();
        assertThat(w2.getExperimentId()).isEqualTo("w2");
        assertThat(w2.getNote()).matches("waited \\d+ s for one of tenant team-a's 1 running searches to end; "
                + "fell back to .*: no ranking within 60000 ms");
    }

    /** One of the synthetic curves' datasets for each search of the quota tests. */
    private static String quotaDataset(String id) {
        return "ds-" + (Math.floorMod(id.hashCode(), 3) + 1);
    }

    /** Answers the given experiment's trials, and those they lead to, until it ends; the other experiments' stay pending. */
    private void answerAll(List<TrialRequested> pending, String experimentId) {
        for (int round = 0; round < 1000; round++) {
            List<TrialRequested> mine = pending.stream().filter(r -> r.getExperimentId().equals(experimentId)).toList();
            if (mine.isEmpty()) {
                return;
            }
            pending.removeAll(mine);
            mine.forEach(r -> completed.pipeInput(experimentId, answer(r, true).build()));
            if (store().get(experimentId).phase == Experiment.Phase.DONE) {
                return;
            }
            List<TrialRequested> more = requested.readValuesToList();
            pending.addAll(more);
        }
    }

    private List<TrialRequested> answerUntilDone() {
        List<TrialRequested> all = new ArrayList<>();
        for (int round = 0; round < 1000 && results.isEmpty(); round++) {
            List<TrialRequested> batch = requested.readValuesToList();
            if (batch.isEmpty()) {
                break;
            }
            all.addAll(batch);
            batch.forEach(r -> completed.pipeInput(r.getExperimentId(), answer(r, true).build()));
        }
        return all;
    }

    private TrialRequested requestOf(Experiment e, String trialId) {
        var t = e.trials.get(trialId);
        return TrialRequested.newBuilder().setTrialId(t.trialId).setExperimentId(e.experimentId).setDatasetId(e.datasetId)
                .setTenant(e.tenant).setDatasetUri(e.datasetUri).setDatasetFormat(DatasetFormat.IDX).setConfigId(t.configId)
                .setConfig(SPACE.config(t.configId).values()).setEpochs(t.epochs).setBracket(t.bracket).setRung(t.rung)
                .setAttempt(t.attempt).setResumeFromTrialId(t.resumeFromTrialId).setResumeFromEpochs(t.resumeFromEpochs).build();
    }

    private static TrialCompleted.Builder answer(TrialRequested r, boolean ok) {
        List<Double> curve = IntStream.rangeClosed(r.getResumeFromEpochs() + 1, r.getEpochs())
                .mapToObj(ep -> CURVES.top1(r.getDatasetId(), r.getConfigId(), ep)).toList();
        return TrialCompleted.newBuilder().setTrialId(r.getTrialId()).setExperimentId(r.getExperimentId())
                .setStatus(ok ? TrialStatus.SUCCEEDED : TrialStatus.FAILED)
                .setTop1(ok ? CURVES.top1(r.getDatasetId(), r.getConfigId(), r.getEpochs()) : 0)
                .setCurve(ok ? curve : List.of()).setEpochsTrained(r.getEpochs() - r.getResumeFromEpochs())
                .setDurationMs(5).setWorker("tt").setError(ok ? null : "boom");
    }

    private RankingComputed ranking(String id, List<Integer> ranking) {
        return RankingComputed.newBuilder().setExperimentId(id).setDatasetId("ds-4").setOk(true).setModelVersion("test")
                .setConfigSpaceFingerprint(SPACE.fingerprint()).setRanking(ranking)
                .setScores(IntStream.range(0, SPACE.size()).mapToObj(i -> 0.0).toList()).setEmbedding(List.of())
                .setMillis(1).setDevice("cpu()").build();
    }

    private static List<Integer> reversedIds() {
        List<Integer> ids = new ArrayList<>(IntStream.range(0, SPACE.size()).boxed().toList());
        Collections.reverse(ids);
        return ids;
    }

    private KeyValueStore<String, Experiment> store() {
        return driver.getKeyValueStore(SchedulerTopology.EXPERIMENTS_STORE);
    }
}
