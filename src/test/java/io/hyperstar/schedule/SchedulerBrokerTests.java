package io.hyperstar.schedule;

import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.TopicCreator;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.hyperband.TrialOrder;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.CurveTable;
import io.hyperstar.testing.KafkaBroker;
import io.hyperstar.testing.TestEvents;
import io.hyperstar.testing.TestWorker;
import io.hyperstar.testing.TopicReader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The scheduler on a real Kafka 4.1.2 broker with exactly-once on, answered by a test worker over Kafka. */
class SchedulerBrokerTests {

    private static final ConfigSpace SPACE = ConfigSpace.bundled();
    private static final CurveTable CURVES = CurveTable.synthetic();
    private static final SchedulerSettings SETTINGS =
            new SchedulerSettings(2, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofSeconds(5));
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.bare();
    private Topics topics;

    /** Each test gets its own topics, so one test's events never reach another's scheduler. */
    @org.junit.jupiter.api.BeforeEach
    void createTopics(org.junit.jupiter.api.TestInfo test) throws Exception {
        topics = new Topics(Topics.Names.withPrefix(test.getTestMethod().orElseThrow().getName().substring(0, 12) + "-"));
        TopicCreator.create(kafka.bootstrapServers(), topics, 3, (short) 1);
    }

    @Test
    void fiveConcurrentExperimentsRequestExactlyThePlannedTrialsAndFindTheCoresBest(@TempDir Path state) throws Exception {
        Map<String, String> datasets = new HashMap<>();
        for (int i = 1; i <= 5; i++) {
            datasets.put("five-" + i, "ds-" + i);
        }
        try (KafkaStreams streams = start("five", state);
             TestWorker worker = new TestWorker(kafka.bootstrapServers(), topics, CURVES).answerTwice();
             KafkaProducer<String, DatasetRegistered> producer = producer()) {
            datasets.forEach((id, ds) -> producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), id,
                    TestEvents.registration(id, ds, Strategy.HYPERBAND, 9, 3, 0))));
            producer.flush();

            Map<String, ExperimentCompleted> results = awaitResults(datasets.keySet().stream().toList(), Duration.ofMinutes(3));
            for (var entry : datasets.entrySet()) {
                Simulator.Run expected = TestEvents.simulate(entry.getKey(), entry.getValue(), 9, 3, 0);
                List<String> asked = worker.received(entry.getKey()).stream().map(TrialRequested::getTrialId).toList();
                assertThat(asked).as("trials of %s", entry.getKey()).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(expected.orders().stream().map(TrialOrder::trialId).toList());
                ExperimentCompleted done = results.get(entry.getKey());
                assertThat(done.getBestConfigId()).isEqualTo(expected.outcome().bestConfigId());
                assertThat(done.getBestTop1()).isEqualTo(expected.outcome().bestTop1());
                assertThat(done.getEpochsUsed()).isEqualTo(expected.outcome().epochsUsed());
            }
        }
    }

    /**
     * A tenant's quota on a real broker, where its searches land on different partitions (and the tenant's count on
     * yet another): with a limit of two, six searches of one tenant never have more than two in progress at once, while
     * another tenant's search runs beside them, and every search still asks exactly its plan, once, to the core's result.
     */
    @Test
    void aTenantsQuotaHoldsAcrossPartitionsAndEverySearchStillEndsAsPlanned(@TempDir Path state) throws Exception {
        List<String> teamA = IntStream.rangeClosed(1, 6).mapToObj(i -> "quota-a" + i).toList();
        Map<String, String> datasets = new HashMap<>();
        teamA.forEach(id -> datasets.put(id, "ds-" + (teamA.indexOf(id) % 5 + 1)));
        datasets.put("quota-b1", "ds-3");
        SchedulerSettings settings = SETTINGS.withQuota(new TenantQuota(0, Map.of("team-a", 2)));
        try (KafkaStreams streams = start("quota", state, settings);
             TestWorker worker = new TestWorker(kafka.bootstrapServers(), topics, CURVES).answerTwice();
             KafkaProducer<String, DatasetRegistered> producer = producer()) {
            datasets.forEach((id, ds) -> producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), id,
                    DatasetRegistered.newBuilder(TestEvents.registration(id, ds, Strategy.HYPERBAND, 9, 3, 0))
                            .setTenant(id.startsWith("quota-a") ? "team-a" : "team-b").build())));
            producer.flush();

            Map<String, ExperimentCompleted> results = awaitResults(datasets.keySet().stream().toList(), Duration.ofMinutes(3));
            for (var entry : datasets.entrySet()) {
                Simulator.Run expected = TestEvents.simulate(entry.getKey(), entry.getValue(), 9, 3, 0);
                assertThat(worker.received(entry.getKey()).stream().map(TrialRequested::getTrialId).toList())
                        .as("trials of %s", entry.getKey()).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(expected.orders().stream().map(TrialOrder::trialId).toList());
                assertThat(results.get(entry.getKey()).getBestConfigId()).isEqualTo(expected.outcome().bestConfigId());
                assertThat(results.get(entry.getKey()).getEpochsUsed()).isEqualTo(expected.outcome().epochsUsed());
            }
            // From the first to the last trial request a search is certainly running: no more than two of team-a's at once.
            List<String> order = worker.received().stream().map(TrialRequested::getExperimentId).toList();
            int most = 0;
            for (int i = 0; i < order.size(); i++) {
                int at = i;
                most = Math.max(most, (int) teamA.stream()
                        .filter(id -> order.indexOf(id) <= at && order.lastIndexOf(id) >= at).count());
            }
            assertThat(most).as("team-a's searches in progress at once").isEqualTo(2);
            assertThat(teamA.stream().filter(id -> results.get(id).getNote().startsWith("waited ")).count())
                    .as("searches that say they waited for a slot").isGreaterThanOrEqualTo(4);
            assertThat(results.get("quota-b1").getNote()).isEmpty();
        }
    }

    @Test
    void aSchedulerStoppedMidExperimentResumesFromItsChangelogWithNothingLostOrRepeated(@TempDir Path state1, @TempDir Path state2)
            throws Exception {
        String id = "restart-1";
        Simulator.Run expected = TestEvents.simulate(id, "ds-5", 27, 3, 0);
        try (TestWorker worker = new TestWorker(kafka.bootstrapServers(), topics, CURVES);
             KafkaProducer<String, DatasetRegistered> producer = producer()) {
            KafkaStreams first = start("restart", state1);
            producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), id,
                    TestEvents.registration(id, "ds-5", Strategy.HYPERBAND, 27, 3, 0)));
            producer.flush();
            // Let it get well into the search (past the first bracket's first rung), then stop it.
            await().atMost(Duration.ofMinutes(2)).until(() -> worker.received(id).size() >= 40);
            first.close(Duration.ofSeconds(30));
            int askedBeforeRestart = worker.received(id).size();
                assertThat(askedBeforeRestart).isLessThan(expected.orders().size());

            // A new instance with an empty local state directory: everything must come back from the changelog.
            try (KafkaStreams second = start("restart", state2)) {
                Map<String, ExperimentCompleted> results = awaitResults(List.of(id), Duration.ofMinutes(3));
                List<String> asked = worker.received(id).stream().map(TrialRequested::getTrialId).toList();
                assertThat(asked).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(expected.orders().stream().map(TrialOrder::trialId).toList());
                assertThat(results.get(id).getBestConfigId()).isEqualTo(expected.outcome().bestConfigId());
                assertThat(results.get(id).getBestTop1()).isEqualTo(expected.outcome().bestTop1());
                assertThat(results.get(id).getEpochsUsed()).isEqualTo(expected.outcome().epochsUsed());

                // The meta-dataset holds each full-budget trial once, across the restart, with its curve from epoch 1
                // (the earlier rungs' curves came back from the changelog too). One more is asked for, to see none extra.
                List<String> fullBudget = expected.orders().stream().filter(o -> o.epochs() == 27).map(TrialOrder::trialId).toList();
                var records = TopicReader.records(kafka.bootstrapServers(), topics.metaDataset.name(),
                        topics.metaDataset.valueSerde().deserializer(), fullBudget.size() + 1, Duration.ofSeconds(15));
                assertThat(records).extracting(r -> r.value().getSourceTrialId()).containsExactlyInAnyOrderElementsOf(fullBudget);
                for (var r : records) {
                    MetaDatasetRecord m = r.value();
                    assertThat(r.key()).isEqualTo("ds-5/" + m.getConfigId());
                    assertThat(m.getEpochs()).isEqualTo(27);
                    assertThat(m.getTop1()).isEqualTo(CURVES.top1("ds-5", m.getConfigId(), 27));
                    assertThat(m.getCurve()).isEqualTo(IntStream.rangeClosed(1, 27)
                            .mapToObj(ep -> CURVES.top1("ds-5", m.getConfigId(), ep)).toList());
                }
            }
        }
    }

    /**
     * BOHB and ASHA side by side on a real broker, with the scheduler stopped mid-way and restarted from an empty state
     * directory. BOHB, whose brackets wait for every answer, asks exactly what the core asks offline. ASHA, which acts on
     * each answer as it comes, depends on the order answers arrive in; whatever that order, no trial is asked twice,
     * each promotion resumes its own configuration one rung down, and the result is the best of what was trained.
     */
    @Test
    void bohbAndAshaSurviveARestartWithNothingLostOrRepeated(@TempDir Path state1, @TempDir Path state2) throws Exception {
        Simulator.Run bohb = TestEvents.simulate("bohb-1", "ds-2", io.hyperstar.hyperband.Strategy.BOHB, 27, 3, 0);
        try (TestWorker worker = new TestWorker(kafka.bootstrapServers(), topics, CURVES);
             KafkaProducer<String, DatasetRegistered> producer = producer()) {
            KafkaStreams first = start("strategies", state1);
            producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), "bohb-1",
                    TestEvents.registration("bohb-1", "ds-2", Strategy.BOHB, 27, 3, 0)));
            DatasetRegistered asha = TestEvents.registration("asha-1", "ds-3", Strategy.ASHA, 27, 3, 0);
            asha.getTuning().setParallelTrials(5);
            producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), "asha-1", asha));
            producer.flush();
            await().atMost(Duration.ofMinutes(2)).until(() -> worker.received("bohb-1").size() >= 30 && worker.received("asha-1").size() >= 30);
            first.close(Duration.ofSeconds(30));

            try (KafkaStreams second = start("strategies", state2)) {
                Map<String, ExperimentCompleted> results = awaitResults(List.of("bohb-1", "asha-1"), Duration.ofMinutes(3));

                assertThat(worker.received("bohb-1").stream().map(TrialRequested::getTrialId).toList()).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(bohb.orders().stream().map(TrialOrder::trialId).toList());
                assertThat(results.get("bohb-1").getBestConfigId()).isEqualTo(bohb.outcome().bestConfigId());
                assertThat(results.get("bohb-1").getStrategy()).isEqualTo(Strategy.BOHB);

                List<TrialRequested> asked = worker.received("asha-1");
                assertThat(asked.stream().map(TrialRequested::getTrialId).toList()).doesNotHaveDuplicates();
                assertThat(asked.stream().filter(r -> r.getRung() == 0).map(TrialRequested::getConfigId).toList())
                        .doesNotHaveDuplicates();
                assertThat(asked.stream().filter(r -> r.getRung() > 0)).isNotEmpty().allSatisfy(r -> assertThat(r.getResumeFromTrialId())
                        .isEqualTo(io.hyperstar.hyperband.ExperimentMachine.trialId("asha-1", 3, r.getRung() - 1, r.getConfigId(), 0)));
                ExperimentCompleted done = results.get("asha-1");
                assertThat(done.getStrategy()).isEqualTo(Strategy.ASHA);
                assertThat(done.getTrialsRequested()).isEqualTo(asked.size());
                // With no budget asked, ASHA stops at what Hyperband's whole plan would train (357 epochs here).
                assertThat(done.getEpochsUsed()).isPositive().isLessThanOrEqualTo(
                        io.hyperstar.hyperband.Hyperband.plannedEpochs(io.hyperstar.hyperband.Hyperband.plan(27, 3, SPACE.size())));
                assertThat(done.getBestTop1()).isEqualTo(asked.stream()
                        .mapToDouble(r -> CURVES.top1("ds-3", r.getConfigId(), r.getEpochs())).max().orElseThrow());
            }
        }
    }

    private KafkaStreams start(String appId, Path stateDir) {
        return start(appId, stateDir, SETTINGS);
    }

    private KafkaStreams start(String appId, Path stateDir, SchedulerSettings settings) {
        Properties config = SchedulerTopology.streamsConfig(kafka.bootstrapServers(), "scheduler-" + appId, stateDir.toString());
        // A stopped instance stays in the group until its session times out; keep that short so the restart is quick.
        config.put(org.apache.kafka.streams.StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        config.put(org.apache.kafka.streams.StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1000);
        KafkaStreams streams = new KafkaStreams(SchedulerTopology.build(topics, settings, SPACE, new SimpleMeterRegistry()), config);
        streams.start();
        return streams;
    }

    private KafkaProducer<String, DatasetRegistered> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(p, topics.datasetRegistered.keySerde().serializer(), topics.datasetRegistered.valueSerde().serializer());
    }

    /** Reads experiment results (committed ones only) until every id has one. */
    private Map<String, ExperimentCompleted> awaitResults(List<String> ids, Duration timeout) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "results-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, ExperimentCompleted> results = new HashMap<>();
        try (KafkaConsumer<String, ExperimentCompleted> consumer = new KafkaConsumer<>(c,
                topics.experimentCompleted.keySerde().deserializer(), topics.experimentCompleted.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.experimentCompleted.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!results.keySet().containsAll(ids)) {
                assertThat(System.nanoTime()).as("results for %s within %s; have %s", ids, timeout, results.keySet()).isLessThan(deadline);
                for (ConsumerRecord<String, ExperimentCompleted> r : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(results.put(r.key(), r.value())).as("one result per experiment: %s", r.key()).isNull();
                }
            }
        }
        return results;
    }
}
