package io.hyperstar.recommend;

import io.hyperstar.catalog.DataRoots;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.events.DatasetFormat;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.DeadLetter;
import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.ModelPublished;
import io.hyperstar.events.RankingComputed;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.TopicCreator;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TransactionalLoop;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.model.Architecture;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.model.Ranker;
import io.hyperstar.model.TaskMemory;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.Scrape;
import io.hyperstar.testing.KafkaBroker;
import io.hyperstar.testing.CurveTable;
import io.hyperstar.testing.TopicReader;
import io.hyperstar.testing.TestEvents;
import io.hyperstar.testing.TestScheduler;
import io.hyperstar.testing.TestWorker;
import io.hyperstar.train.Backbone;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The recommender on a real broker with the real scheduler and a replay worker: a dataset's ranking comes from
 * its own images, task-aware Hyperband starts from the top of it, and bad datasets are refused with a reason;
 * a published model takes over between two datasets, and one that does not match its announcement is refused.
 * The model here is the untrained network (backbone-initialised), saved and loaded as an artifact: these tests
 * are about the role, not about ranking quality (that is the evaluation's job).
 */
class RecommenderBrokerTests {

    private static final ConfigSpace SPACE = ConfigSpace.bundled();
    private static final Topics TOPICS = new Topics(Topics.Names.withPrefix("rec-"));
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withTopics(TOPICS, 2);

    @TempDir
    static Path dir;

    @Test
    void taskAwareHyperbandStartsFromTheRankingOfTheDatasetsImagesAndBadDatasetsAreRefused() throws Exception {
        Path data = dir.resolve("data");
        TestTasks.materialise(data, "unseen-shapes", 6, TaskData.Format.IDX, 21);
        TestTasks.materialise(data, "folder-shapes", 6, TaskData.Format.FOLDER, 22);
        Path outside = dir.resolve("outside");
        TestTasks.materialise(outside, "x", 4, TaskData.Format.IDX, 23);
        Path modelDir = dir.resolve("model");
        try (HyperStarModel fresh = HyperStarModel.create(SPACE, Architecture.DEFAULT)) {
            // Ranks as the shipped model does, by the neighbour readout: a memory of two "training" tasks, one best
            // at configuration 17, the other at 42.
            fresh.useMemory(TaskMemory.build(fresh, List.of(
                    new TaskMemory.Entry("folder-shapes", TaskData.load(data.resolve("tasks/folder-shapes")).train(),
                            peaked(17)),
                    new TaskMemory.Entry("x", TaskData.load(outside.resolve("tasks/x")).train(), peaked(42))),
                    Ranker.BATCHES, Ranker.PER_BATCH, 1, TaskMemory.DEFAULT_TEMPERATURE));
            ModelArtifact.save(fresh, new ModelArtifact.Metadata(ModelArtifact.FORMAT, "test-untrained", SPACE.fingerprint(),
                    Architecture.DEFAULT, "BM+neighbours", List.of("folder-shapes", "x"), 0, null, null,
                    "2026-11-27T00:00:00Z", null), modelDir);
        }

        try (HyperStarModel model = ModelArtifact.load(modelDir, SPACE);
             KafkaStreams scheduler = scheduler();
             TestWorker worker = new TestWorker(kafka.bootstrapServers(), TOPICS, CurveTable.synthetic());
             io.hyperstar.ops.MetricsServer metrics = io.hyperstar.ops.MetricsServer.start("127.0.0.1", 0, "recommender")) {
            Recommender recommender = new Recommender(model, ModelArtifact.readMetadata(modelDir), new DataRoots(List.of(data)),
                    Ranker.BATCHES, Ranker.PER_BATCH, 20);
            TransactionalLoop loop = RecommenderMain.loop(kafka.bootstrapServers(), TOPICS, () -> recommender, "r1", metrics.registry());
            Thread t = new Thread(loop);
            t.start();
            scheduler.start();
            try (KafkaProducer<String, DatasetRegistered> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    Serdes.String().serializer(), TOPICS.datasetRegistered.valueSerde().serializer())) {
                send(producer, registration("ta", "ds-3", data.resolve("tasks/unseen-shapes").toString(), DatasetFormat.IDX));
                send(producer, registration("outside", "ds-1", outside.resolve("tasks/x").toString(), DatasetFormat.IDX));
                send(producer, registration("missing", "ds-1", data.resolve("tasks/none").toString(), DatasetFormat.IDX));
                send(producer, registration("wrong-format", "ds-1", data.resolve("tasks/folder-shapes").toString(), DatasetFormat.IDX));
                // A vanilla search needs no ranking, even of a dataset this role could not read.
                send(producer, DatasetRegistered.newBuilder(registration("vanilla", "ds-1", data.resolve("tasks/none").toString(),
                        DatasetFormat.IDX)).setTuning(TestEvents.tuning(Strategy.HYPERBAND, 9, 3, 0)).build());
            }

            List<RankingComputed> rankings = TopicReader.read(kafka.bootstrapServers(), TOPICS.rankingComputed.name(), TOPICS.rankingComputed.valueSerde().deserializer(), 4, Duration.ofMinutes(3));
            RankingComputed ta = rankings.stream().filter(r -> r.getExperimentId().equals("ta")).findFirst().orElseThrow();
            assertThat(ta.getOk()).isTrue();
            assertThat(ta.getModelVersion()).isEqualTo("test-untrained");
            assertThat(ta.getRanking()).hasSize(SPACE.size()).doesNotHaveDuplicates();
            assertThat(ta.getEmbedding()).hasSize(Architecture.DEFAULT.embedding());
            // The ranking is the model's batched Algorithm 2 on this dataset's training images.
            Ranker.Ranking direct = Ranker.rank(model, TaskData.load(data.resolve("tasks/unseen-shapes")).train(),
                    Ranker.BATCHES, Ranker.PER_BATCH, "ta".hashCode());
            assertThat(ta.getRanking()).containsExactlyElementsOf(Arrays.stream(direct.order()).boxed().toList());
            // ...read off the memory: a mix of the two tasks' rankings, so one of their bests comes first.
            assertThat(ta.getRanking().get(0)).isIn(17, 42);
            // The event says which training tasks it was ranked like, heaviest first, with the readout's weights.
            assertThat(ta.getNearestTasks()).extracting(n -> n.getTaskId().toString())
                    .containsExactlyInAnyOrder("folder-shapes", "x");
            assertThat(ta.getNearestTasks().get(0).getWeight()).isGreaterThanOrEqualTo(ta.getNearestTasks().get(1).getWeight());
            assertThat(ta.getNearestTasks().get(0).getWeight() + ta.getNearestTasks().get(1).getWeight())
                    .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(ta.getNearestTasks().get(0).getTaskId().toString()).isEqualTo(
                    ta.getRanking().get(0) == 17 ? "folder-shapes" : "x");

            assertThat(rankings.stream().filter(r -> !r.getOk()).map(RankingComputed::getError).toList()).satisfiesExactlyInAnyOrder(
                    e -> assertThat(e).contains("outside the configured data roots"),
                    e -> assertThat(e).contains("does not exist"),
                    e -> assertThat(e).contains("registered as IDX but the dataset on disk is an image folder"));
            assertThat(rankings.stream().filter(r -> !r.getOk())).allSatisfy(r -> assertThat(r.getNearestTasks()).isEmpty());
            List<DeadLetter> dead = TopicReader.read(kafka.bootstrapServers(), TOPICS.deadLetter.name(), TOPICS.deadLetter.valueSerde().deserializer(), 3, Duration.ofMinutes(3));
            assertThat(dead).allSatisfy(d -> assertThat(d.getRole()).isEqualTo("recommender"));
            // What Prometheus scrapes from the recommender: rankings by outcome and their time on the device.
            String scraped = Scrape.metrics(metrics);
            assertThat(scraped).contains("hyperstar_rankings_total{outcome=\"ranked\",role=\"recommender\",} 1.0")
                    .contains("hyperstar_rankings_total{outcome=\"refused\",role=\"recommender\",} 3.0")
                    .contains("hyperstar_ranking_duration_seconds_count{device=\"" + ta.getDevice() + "\",role=\"recommender\",} 1.0");

            // Task-aware Hyperband: the first bracket asks for exactly the top of the ranking, and the search ends.
            List<ExperimentCompleted> done = TopicReader.read(kafka.bootstrapServers(), TOPICS.experimentCompleted.name(), TOPICS.experimentCompleted.valueSerde().deserializer(), 5, Duration.ofMinutes(3));
            int firstRung = io.hyperstar.hyperband.Hyperband.plan(9, 3, SPACE.size()).get(0).rungs().get(0).n();
            List<Integer> firstBracket = worker.received("ta").stream().filter(r -> r.getBracket() == 2 && r.getRung() == 0)
                    .map(TrialRequested::getConfigId).toList();
            assertThat(firstBracket).containsExactlyElementsOf(ta.getRanking().subList(0, firstRung));
            ExperimentCompleted taDone = done.stream().filter(d -> d.getExperimentId().equals("ta")).findFirst().orElseThrow();
            assertThat(taDone.getNote()).isEmpty();
            // Refused datasets still get searched, by vanilla Hyperband, and the result says why.
            assertThat(done.stream().filter(d -> !d.getExperimentId().equals("ta") && !d.getExperimentId().equals("vanilla")))
                    .hasSize(3).allSatisfy(d -> assertThat(d.getNote()).startsWith("fell back to vanilla Hyperband: the recommender could not rank"));
            // The vanilla search was not ranked and its dataset not refused: no ranking, no dead letter, counted apart.
            await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> assertThat(Scrape.metrics(metrics))
                    .contains("hyperstar_rankings_total{outcome=\"not-needed\",role=\"recommender\",} 1.0"));
            assertThat(done.stream().filter(d -> d.getExperimentId().equals("vanilla")).findFirst().orElseThrow().getNote()).isEmpty();
            assertThat(TopicReader.all(kafka.bootstrapServers(), TOPICS.rankingComputed.name(), TOPICS.rankingComputed.valueSerde().deserializer(),
                    Duration.ofSeconds(30))).extracting(r -> r.getExperimentId().toString())
                    .containsExactlyInAnyOrder("ta", "outside", "missing", "wrong-format");
            assertThat(TopicReader.all(kafka.bootstrapServers(), TOPICS.deadLetter.name(), TOPICS.deadLetter.valueSerde().deserializer(),
                    Duration.ofSeconds(30))).hasSize(3);
            loop.close();
            t.join(30_000);
        }
    }

    @Test
    void aPublishedModelTakesOverBetweenTwoDatasetsAndEveryRegistrationIsAnsweredOnce() throws Exception {
        try (Swapping rig = swapping("swap")) {
            Topics topics = rig.topics();
            ModelSwitch models = rig.models();
            TransactionalLoop loop = rig.loop();
            KafkaProducer<String, DatasetRegistered> registrations = rig.registrations();
            String uri = rig.data().resolve("tasks/unseen-shapes").toString();
            Path b = artifact("swap-model-b", "model-b");
            register(registrations, topics, "before-1", uri);
            assertThat(rankings(topics, 1, Duration.ofMinutes(2))).singleElement()
                    .satisfies(r -> assertThat(r.getModelVersion()).isEqualTo("model-a"));
            // Two more in flight while the new model is announced: each is answered by one model or the other.
            register(registrations, topics, "before-2", uri);
            register(registrations, topics, "before-3", uri);
            publish(topics, announcement(b, "model-b", Backbone.sha256(Files.readAllBytes(b.resolve(ModelArtifact.METADATA)))));
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (!models.newestVersion().equals("model-b") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(models.newestVersion()).isEqualTo("model-b");
            register(registrations, topics, "after-1", uri);
            register(registrations, topics, "after-2", uri);

            List<RankingComputed> rankings = rankings(topics, 5, Duration.ofMinutes(3));
            assertThat(rankings).allSatisfy(r -> assertThat(r.getOk()).isTrue());
            assertThat(rankings).extracting(RankingComputed::getExperimentId)
                    .containsExactlyInAnyOrder("before-1", "before-2", "before-3", "after-1", "after-2");
            assertThat(rankings).filteredOn(r -> r.getExperimentId().startsWith("before-"))
                    .allSatisfy(r -> assertThat(r.getModelVersion()).isIn("model-a", "model-b"));
            assertThat(rankings).filteredOn(r -> r.getExperimentId().startsWith("after-"))
                    .allSatisfy(r -> assertThat(r.getModelVersion()).isEqualTo("model-b"));
            // Nothing answered twice: no sixth ranking turns up.
            assertThat(rankings(topics, 6, Duration.ofSeconds(5))).hasSize(5);
            assertThat(loop.handled()).isEqualTo(5);
            assertThat(TopicReader.read(kafka.bootstrapServers(), topics.deadLetter.name(),
                    topics.deadLetter.valueSerde().deserializer(), 1, Duration.ofSeconds(2))).isEmpty();
        }
    }

    @Test
    void aPublishedModelThatDoesNotMatchItsAnnouncementIsADeadLetterAndRankingGoesOnWithTheCurrentModel() throws Exception {
        try (Swapping rig = swapping("bad-model")) {
            Topics topics = rig.topics();
            KafkaProducer<String, DatasetRegistered> registrations = rig.registrations();
            Path data = rig.data();
            Path b = artifact("bad-model-b", "model-b");
            publish(topics, announcement(b, "model-b", "0".repeat(64)));
            publish(topics, announcement(dir.resolve("no-such-model"), "model-c", "0".repeat(64)));
            // A model of another space, announced with the right checksum.
            Path other = artifact("bad-model-d", "model-d");
            publish(topics, ModelPublished.newBuilder(announcement(other, "model-d", sha(other)))
                    .setConfigSpaceFingerprint("another-space").build());
            // model.json intact and announced right, but the parameters it vouches for corrupted on disk.
            Path corrupt = artifact("bad-model-e", "model-e");
            Files.write(corrupt.resolve(ModelArtifact.PARAMS), new byte[] {1, 2, 3});
            publish(topics, announcement(corrupt, "model-e", sha(corrupt)));
            List<DeadLetter> dead = TopicReader.read(kafka.bootstrapServers(), topics.deadLetter.name(),
                    topics.deadLetter.valueSerde().deserializer(), 4, Duration.ofMinutes(1));
            assertThat(dead).allSatisfy(d -> {
                assertThat(d.getRole()).isEqualTo("recommender");
                assertThat(d.getSourceTopic()).isEqualTo(topics.modelPublished.name());
            });
            assertThat(dead).extracting(DeadLetter::getReason).satisfiesExactlyInAnyOrder(
                    r -> assertThat(r).contains("model model-b not used").contains("model.json has SHA-256")
                            .contains("the announcement says " + "0".repeat(64)),
                    r -> assertThat(r).contains("model model-c not used").contains("does not exist"),
                    r -> assertThat(r).contains("model model-d not used").contains("configuration space another-space"),
                    r -> assertThat(r).contains("model model-e not used").contains("is corrupt"));

            register(registrations, topics, "after-bad", data.resolve("tasks/unseen-shapes").toString());
            assertThat(rankings(topics, 1, Duration.ofMinutes(2))).singleElement().satisfies(r -> {
                assertThat(r.getOk()).isTrue();
                assertThat(r.getModelVersion()).isEqualTo("model-a");
            });
        }
    }

    /**
     * A recommender loop on its own topics ({@code <name>-}) that starts with an untrained "model-a" and swaps models as
     * they are announced, over a data root holding the task "unseen-shapes"; closing it stops the loop, then the rest.
     */
    private record Swapping(Topics topics, Path data, ModelSwitch models, KafkaProducer<String, DatasetRegistered> registrations,
                            TransactionalLoop loop, Thread thread) implements AutoCloseable {
        @Override
        public void close() throws InterruptedException {
            try {
                loop.close();
                thread.join(30_000);
            } finally {
                registrations.close();
                models.close();
            }
        }
    }

    private Swapping swapping(String name) throws Exception {
        Topics topics = new Topics(Topics.Names.withPrefix(name + "-"));
        TopicCreator.create(kafka.bootstrapServers(), topics, 2, (short) 1);
        Path data = dir.resolve(name + "-data");
        TestTasks.materialise(data, "unseen-shapes", 6, TaskData.Format.IDX, 21);
        Path a = artifact(name + "-model-a", "model-a");
        Recommender first = new Recommender(ModelArtifact.load(a, SPACE), ModelArtifact.readMetadata(a),
                new DataRoots(List.of(data)), 2, 16, 20);
        ModelSwitch models = new ModelSwitch(kafka.bootstrapServers(), topics, SPACE, first).start();
        TransactionalLoop loop = RecommenderMain.loop(kafka.bootstrapServers(), topics, models::recommender, name);
        Thread thread = new Thread(loop);
        thread.start();
        return new Swapping(topics, data, models, registrations(topics), loop, thread);
    }

    /** An untrained model saved as an artifact under {@code version}, as the meta-learner would write it. */
    private static Path artifact(String name, String version) throws Exception {
        Path target = dir.resolve(name);
        try (HyperStarModel fresh = HyperStarModel.create(SPACE, Architecture.DEFAULT)) {
            ModelArtifact.save(fresh, new ModelArtifact.Metadata(ModelArtifact.FORMAT, version, SPACE.fingerprint(),
                    Architecture.DEFAULT, "BM", List.of("t1", "t2"), 0, 0.5, null, "2026-11-27T00:00:00Z", null), target);
        }
        return target;
    }

    private static String sha(Path artifact) throws Exception {
        return io.hyperstar.train.Backbone.sha256(Files.readAllBytes(artifact.resolve(ModelArtifact.METADATA)));
    }

    private static ModelPublished announcement(Path artifact, String version, String sha256) {
        return ModelPublished.newBuilder().setVersion(version).setUri(artifact.toUri().toString()).setSha256(sha256)
                .setConfigSpaceFingerprint(SPACE.fingerprint()).setTasks(2).setRecords(0).setValidationAp10(0.5)
                .setPublishedAtMs(java.time.Instant.now()).build();
    }

    private static void publish(Topics topics, ModelPublished ev) throws Exception {
        try (KafkaProducer<String, ModelPublished> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Serdes.String().serializer(), topics.modelPublished.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.modelPublished.name(), ev.getVersion(), ev)).get();
        }
    }

    private static KafkaProducer<String, DatasetRegistered> registrations(Topics topics) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Serdes.String().serializer(), topics.datasetRegistered.valueSerde().serializer());
    }

    private static void register(KafkaProducer<String, DatasetRegistered> producer, Topics topics, String id, String uri)
            throws Exception {
        DatasetRegistered r = registration(id, "ds-" + id, uri, DatasetFormat.IDX);
        producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), id, r)).get();
    }

    private static List<RankingComputed> rankings(Topics topics, int n, Duration timeout) {
        return TopicReader.read(kafka.bootstrapServers(), topics.rankingComputed.name(),
                topics.rankingComputed.valueSerde().deserializer(), n, timeout);
    }

    private KafkaStreams scheduler() throws Exception {
        return TestScheduler.create(kafka.bootstrapServers(), TOPICS, "rec-scheduler", dir);
    }

    private static DatasetRegistered registration(String id, String dataset, String uri, DatasetFormat format) {
        DatasetRegistered r = TestEvents.registration(id, dataset, Strategy.TASK_AWARE_HYPERBAND, 9, 3, 0);
        return DatasetRegistered.newBuilder(r).setUri(uri).setFormat(format).build();
    }

    private static void send(KafkaProducer<String, DatasetRegistered> producer, DatasetRegistered r) {
        producer.send(new ProducerRecord<>(TOPICS.datasetRegistered.name(), r.getExperimentId(), r));
    }

    /** z-scores of a task whose best configuration is {@code best} (3), the rest spread below 0. */
    private static double[] peaked(int best) {
        double[] z = new double[SPACE.size()];
        for (int c = 0; c < z.length; c++) {
            z[c] = c == best ? 3 : -((c * 7) % 5) / 5.0;
        }
        return z;
    }
}
