package io.hyperstar.metalearn;

import io.hyperstar.catalog.DataRoots;
import io.hyperstar.catalog.ImageSet;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.DeadLetter;
import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.RankingComputed;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.TransactionalLoop;
import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.events.ModelPublished;
import io.hyperstar.events.TopicCreator;
import io.hyperstar.events.Topics;
import io.hyperstar.model.Architecture;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.model.Ranker;
import io.hyperstar.model.TaskMemory;
import io.hyperstar.model.TrainSettings;
import io.hyperstar.model.Variant;
import io.hyperstar.recommend.ModelSwitch;
import io.hyperstar.recommend.Recommender;
import io.hyperstar.recommend.RecommenderMain;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.Scrape;
import io.hyperstar.testing.KafkaBroker;
import io.hyperstar.testing.CurveTable;
import io.hyperstar.testing.TestEvents;
import io.hyperstar.testing.TestScheduler;
import io.hyperstar.testing.TestWorker;
import io.hyperstar.testing.TopicReader;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meta-learner: full-budget results of a registered dataset, read as Avro off a real broker's meta-dataset topic,
 * make a retrained model (real DJL training on real images) that is gated, saved with its checksums and announced on
 * model-published; bad records become dead letters; a candidate worse than the model in use on the gate task is not
 * published. The bootstrap meta-dataset is three tiny shape tasks: "gate" (held out of every model, best at the
 * highest configuration ids) and two training tasks ranked the other way round.
 */
class MetaLearnerTests {

    private static final ConfigSpace SPACE = ConfigSpace.bundled();
    private static final Topics TOPICS = new Topics(Topics.Names.withPrefix("ml-"));
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withTopics(TOPICS, 2);

    @TempDir
    static Path dir;

    /** Accuracy rising with the configuration id (reverse = falling): a task whose ranking is known exactly. */
    static double[] rising(boolean reverse) {
        double[] a = new double[SPACE.size()];
        for (int c = 0; c < a.length; c++) {
            a[c] = 0.1 + 0.8 * (reverse ? a.length - 1 - c : c) / (a.length - 1.0);
        }
        return a;
    }

    record Setup(MetaDataset bootstrap, Map<String, ImageSet> images, Path data) {
    }

    static Setup setup(Path dir, String name) throws Exception {
        Path data = dir.resolve(name + "-data");
        Map<String, ImageSet> images = new LinkedHashMap<>();
        List<MetaDataset.TaskRecord> tasks = new ArrayList<>();
        String[] ids = {"gate", "train-a", "train-b"};
        for (int i = 0; i < ids.length; i++) {
            TestTasks.materialise(data, ids[i], 3 + i, TaskData.Format.IDX, 40 + i);
            images.put(ids[i], TaskData.load(data.resolve("tasks").resolve(ids[i])).train());
            tasks.add(new MetaDataset.TaskRecord(ids[i], "shapes", 3 + i, images.get(ids[i]).size(), rising(i > 0)));
        }
        // The registered dataset the trial results come from, under the data roots.
        TestTasks.materialise(data, "registered-1", 4, TaskData.Format.IDX, 50);
        return new Setup(new MetaDataset(27, tasks), images, data);
    }

    /** A model in use trained on the two training tasks; its memory holds the given targets under their names. */
    static Path incumbent(Path dir, Setup s, String name, double[] trainA, double[] trainB) throws Exception {
        Path modelDir = dir.resolve(name);
        try (HyperStarModel m = HyperStarModel.create(SPACE, Architecture.DEFAULT)) {
            m.useMemory(TaskMemory.build(m, List.of(
                            new TaskMemory.Entry("train-a", s.images().get("train-a"), z(trainA)),
                            new TaskMemory.Entry("train-b", s.images().get("train-b"), z(trainB))),
                    Ranker.BATCHES, Ranker.PER_BATCH, 1, TaskMemory.DEFAULT_TEMPERATURE));
            ModelArtifact.save(m, new ModelArtifact.Metadata(ModelArtifact.FORMAT, name, SPACE.fingerprint(),
                    Architecture.DEFAULT, "BM+Sim+neighbours", List.of("train-a", "train-b"), 2 * SPACE.size(), null,
                    null, "2026-11-27T00:00:00Z", null), modelDir);
        }
        return modelDir;
    }

    private static double[] z(double[] acc) {
        return new MetaDataset.TaskRecord("x", "x", 2, 2, acc).zTargets();
    }

    private static MetaLearner.Settings settings(String name) {
        // One pass: these tests are about the role, not about what a longer training learns.
        TrainSettings t = TrainSettings.defaults(Variant.BM_SIM, 1, 1).withTopConvTrained(false).withSetsPerStep(10);
        return new MetaLearner.Settings(10, Duration.ofHours(1), 10, 1000, t, dir.resolve(name + "-models"), true);
    }

    static MetaDatasetRecord record(String dataset, String uri, int config, double top1, String fingerprint) {
        return MetaDatasetRecord.newBuilder().setDatasetId(dataset).setDatasetUri(uri).setConfigId(config)
                .setConfigSpaceFingerprint(fingerprint).setEpochs(27).setTop1(top1).setCurve(List.of(top1))
                .setSourceTrialId(dataset + "-b0-r2-c" + config).build();
    }

    @Test
    void fullBudgetResultsOnTheTopicMakeAGatedRetrainedModelThatIsAnnouncedAndBadRecordsAreDeadLettered()
            throws Exception {
        Setup s = setup(dir, "publish");
        // The model in use ranks the gate task exactly the wrong way round: its gate AP@10 is 0.
        Path in = incumbent(dir, s, "in-use", rising(true), rising(true));
        String uri = s.data().resolve("tasks/registered-1").toString();
        assertThat("registered-1".hashCode() % 1000).as("not a gate task under gateEvery = 1000").isNotZero();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer())) {
            String topic = TOPICS.metaDataset.name();
            List<MetaDatasetRecord> good = new ArrayList<>();
            for (int c = 70; c < 82; c++) {
                good.add(record("registered-1", uri, c, 0.5 + c / 1000.0, SPACE.fingerprint()));
            }
            List<MetaDatasetRecord> bad = List.of(
                    record("registered-2", uri, 3, 0.5, "another-space"),
                    record("registered-2", uri, SPACE.size(), 0.5, SPACE.fingerprint()),
                    record("registered-2", uri, 4, 1.7, SPACE.fingerprint()),
                    record("gate", uri, 5, 0.5, SPACE.fingerprint()));
            for (MetaDatasetRecord r : bad) {
                producer.send(new ProducerRecord<>(topic, (r.getDatasetId() + "/" + r.getConfigId()).getBytes(),
                        TOPICS.metaDataset.valueSerde().serializer().serialize(topic, r))).get();
            }
            producer.send(new ProducerRecord<>(topic, "junk/1".getBytes(), new byte[]{1, 2, 3})).get();
            for (MetaDatasetRecord r : good) {
                producer.send(new ProducerRecord<>(topic, (r.getDatasetId() + "/" + r.getConfigId()).getBytes(),
                        TOPICS.metaDataset.valueSerde().serializer().serialize(topic, r))).get();
            }
        }
        assertThat(MetaLearnerMain.modelInUse(kafka.bootstrapServers(), TOPICS, SPACE, in)).as("nothing published yet")
                .isEqualTo(in);

        try (io.hyperstar.ops.MetricsServer metrics = io.hyperstar.ops.MetricsServer.start("127.0.0.1", 0, "meta-learner");
             MetaLearner learner = new MetaLearner(SPACE, s.bootstrap(), s.images(), new DataRoots(List.of(s.data())),
                in, settings("publish"));
             MetaLearnerMain main = new MetaLearnerMain(kafka.bootstrapServers(), TOPICS, learner, metrics.registry())) {
            Thread t = new Thread(main);
            t.start();
            List<ModelPublished> published = TopicReader.read(kafka.bootstrapServers(), TOPICS.modelPublished.name(),
                    TOPICS.modelPublished.valueSerde().deserializer(), 1, Duration.ofMinutes(3));
            List<DeadLetter> dead = TopicReader.read(kafka.bootstrapServers(), TOPICS.deadLetter.name(),
                    TOPICS.deadLetter.valueSerde().deserializer(), 5, Duration.ofMinutes(1));
            main.close();
            t.join(30_000);

            assertThat(dead).extracting(d -> d.getReason().toString()).anySatisfy(r -> assertThat(r)
                    .contains("another-space")).anySatisfy(r -> assertThat(r).contains("not in the space"))
                    .anySatisfy(r -> assertThat(r).contains("not an accuracy")).anySatisfy(r -> assertThat(r)
                    .contains("bootstrap task")).hasSize(5);
            assertThat(dead).allSatisfy(d -> assertThat(d.getRole().toString()).isEqualTo("meta-learner"));
            // The refused records were not folded; the twelve good ones were.
            assertThat(learner.registered()).containsExactly(Map.entry("registered-1", 12));
            // What Prometheus scrapes from the meta-learner says the same.
            String scraped = Scrape.metrics(metrics);
            assertThat(scraped).contains("hyperstar_records_total{outcome=\"folded\",role=\"meta-learner\",} 12.0")
                    .contains("hyperstar_records_total{outcome=\"dead-letter\",role=\"meta-learner\",} 5.0")
                    .contains("hyperstar_retrainings_total{outcome=\"published\",role=\"meta-learner\",} 1.0")
                    .contains("hyperstar_retraining_duration_seconds_count{role=\"meta-learner\",} 1.0")
                    .contains("hyperstar_training_records{role=\"meta-learner\",} " + (2 * SPACE.size() + 12) + ".0");

            ModelPublished m = published.get(0);
            Path modelDir = Path.of(m.getUri().toString());
            assertThat(m.getSha256().toString()).isEqualTo(
                    Backbone.sha256(Files.readAllBytes(modelDir.resolve(ModelArtifact.METADATA))));
            assertThat(m.getConfigSpaceFingerprint().toString()).isEqualTo(SPACE.fingerprint());
            assertThat(m.getTasks()).isEqualTo(3);
            assertThat(m.getRecords()).isEqualTo(2 * SPACE.size() + 12);
            assertThat(m.getValidationAp10()).isBetween(0.0, 1.0);
            // The artifact loads (every checksum verified) and ranks from a memory that now holds the new dataset.
            ModelArtifact.Metadata meta = ModelArtifact.readMetadata(modelDir);
            assertThat(meta.version()).isEqualTo(m.getVersion().toString());
            assertThat(meta.tasks()).containsExactly("train-a", "train-b", "registered-1");
            assertThat(meta.validationAp10()).isEqualTo(m.getValidationAp10());
            try (HyperStarModel loaded = ModelArtifact.load(modelDir, SPACE)) {
                assertThat(loaded.memory().orElseThrow().tasks()).contains("registered-1");
            }
            assertThat(learner.incumbent().version()).isEqualTo(m.getVersion().toString());
            assertThat(learner.due()).as("nothing new since the published model").isFalse();
            // A restarted meta-learner goes on from the announced model, not the shipped one.
            assertThat(MetaLearnerMain.modelInUse(kafka.bootstrapServers(), TOPICS, SPACE, in)).isEqualTo(modelDir);

            // It reads the whole topic again, and the five records it refused before stay one dead letter each.
            try (MetaLearner again = new MetaLearner(SPACE, s.bootstrap(), s.images(), new DataRoots(List.of(s.data())),
                    modelDir, settings("publish-restart"));
                 MetaLearnerMain restarted = new MetaLearnerMain(kafka.bootstrapServers(), TOPICS, again)) {
                Thread r = new Thread(restarted);
                r.start();
                await().atMost(Duration.ofMinutes(1)).until(() -> restarted.folded() == 17);
                restarted.close();
                r.join(30_000);
                assertThat(again.registered()).containsExactly(Map.entry("registered-1", 12));
            }
            assertThat(TopicReader.all(kafka.bootstrapServers(), TOPICS.deadLetter.name(),
                    TOPICS.deadLetter.valueSerde().deserializer(), Duration.ofSeconds(30))).hasSize(5);
            assertThat(TopicReader.all(kafka.bootstrapServers(), TOPICS.modelPublished.name(),
                    TOPICS.modelPublished.valueSerde().deserializer(), Duration.ofSeconds(30))).as("not retrained").hasSize(1);
        }
    }

    @Test
    void aCandidateWorseThanTheModelInUseOnTheGateTaskIsNotPublished() throws Exception {
        Setup s = setup(dir, "refuse");
        // A model in use whose memory holds the gate task's own ranking (under a training task's name): a perfect
        // gate AP@10 of 1, which the candidate, trained on the real, reversed training tasks, cannot reach.
        Path in = incumbent(dir, s, "perfect", rising(false), rising(false));
        Path models = dir.resolve("refuse-models");
        try (MetaLearner learner = new MetaLearner(SPACE, s.bootstrap(), s.images(), new DataRoots(List.of(s.data())),
                in, settings("refuse"))) {
            String uri = s.data().resolve("tasks/registered-1").toString();
            for (int c = 0; c < 9; c++) {
                assertThat(learner.fold(record("registered-1", uri, c, 0.9 - c / 100.0, SPACE.fingerprint()))).isNull();
            }
            assertThat(learner.due()).as("9 records: under minConfigs = 10, nothing to train on yet").isFalse();
            assertThat(learner.fold(record("registered-1", uri, 9, 0.3, SPACE.fingerprint()))).isNull();
            assertThat(learner.due()).isTrue();

            MetaLearner.Attempt a = learner.retrain();
            assertThat(a.published()).isEmpty();
            assertThat(a.incumbentAp10()).isEqualTo(1.0);
            assertThat(a.candidateAp10()).isLessThan(1.0);
            assertThat(a.reason()).contains("below the model in use (perfect)");
            assertThat(learner.incumbent().version()).isEqualTo("perfect");
            assertThat(models).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
            // Not retried on every next record: only when retrainEvery more have arrived, or after retrainAfter
            // (an hour here) with at least one new.
            java.time.Instant later = java.time.Instant.now().plus(Duration.ofMinutes(61));
            assertThat(learner.due()).isFalse();
            assertThat(learner.due(later)).as("nothing new").isFalse();
            assertThat(learner.fold(record("registered-1", uri, 10, 0.5, SPACE.fingerprint()))).isNull();
            assertThat(learner.due()).isFalse();
            assertThat(learner.due(later)).isTrue();
        }
    }

    @Test
    void resultsOfASearchComeBackAsAModelThatTheRecommenderRanksTheNextDatasetWith() throws Exception {
        Topics topics = new Topics(Topics.Names.withPrefix("loop-"));
        TopicCreator.create(kafka.bootstrapServers(), topics, 2, (short) 1);
        Setup s = setup(dir, "loop");
        Path in = incumbent(dir, s, "loop-in-use", rising(true), rising(true));
        String uri = s.data().resolve("tasks/registered-1").toString();
        // The configurations one vanilla search (R = 9, eta = 3) trains to R, the records it sends (one per
        // configuration); the meta-learner retrains once all have arrived.
        int fullBudget = (int) TestEvents.simulate("first", "ds-3", 9, 3, 0).orders().stream()
                .filter(o -> o.epochs() == 9).mapToInt(o -> o.configId()).distinct().count();
        assertThat(fullBudget).isGreaterThanOrEqualTo(3);
        TrainSettings t = TrainSettings.defaults(Variant.BM_SIM, 1, 1).withTopConvTrained(false).withSetsPerStep(10);
        MetaLearner.Settings settings = new MetaLearner.Settings(fullBudget, Duration.ofHours(1), 3, 1000, t,
                dir.resolve("loop-models"), true);
        try (KafkaStreams scheduler = TestScheduler.create(kafka.bootstrapServers(), topics, "loop-scheduler", dir);
             TestWorker worker = new TestWorker(kafka.bootstrapServers(), topics, CurveTable.synthetic());
             MetaLearner learner = new MetaLearner(SPACE, s.bootstrap(), s.images(),
                     new DataRoots(List.of(s.data())), in, settings);
             MetaLearnerMain metaLearner = new MetaLearnerMain(kafka.bootstrapServers(), topics, learner);
             ModelSwitch models = new ModelSwitch(kafka.bootstrapServers(), topics, SPACE, new Recommender(
                     ModelArtifact.load(in, SPACE), ModelArtifact.readMetadata(in), new DataRoots(List.of(s.data())),
                     Ranker.BATCHES, Ranker.PER_BATCH, 10)).start()) {
            TransactionalLoop recommender = RecommenderMain.loop(kafka.bootstrapServers(), topics, models::recommender,
                    "loop");
            List<Thread> threads = List.of(new Thread(recommender), new Thread(metaLearner));
            threads.forEach(Thread::start);
            scheduler.start();
            try (KafkaProducer<String, DatasetRegistered> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    Serdes.String().serializer(), topics.datasetRegistered.valueSerde().serializer())) {
                producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), "first", registration("first", uri, Strategy.HYPERBAND)))
                        .get();
                List<ExperimentCompleted> done = TopicReader.read(kafka.bootstrapServers(),
                        topics.experimentCompleted.name(), topics.experimentCompleted.valueSerde().deserializer(), 1,
                        Duration.ofMinutes(2));
                assertThat(done.get(0).getOutcome().toString()).isEqualTo("ALL_BRACKETS_DONE");
                List<ModelPublished> published = TopicReader.read(kafka.bootstrapServers(),
                        topics.modelPublished.name(), topics.modelPublished.valueSerde().deserializer(), 1,
                        Duration.ofMinutes(2));
                String version = published.get(0).getVersion().toString();
                // Every full-budget result of the search, and only those, is what the new model learned the dataset by.
                assertThat(worker.received().stream().filter(r -> r.getEpochs() == 9).mapToInt(r -> r.getConfigId())
                        .distinct().count()).isEqualTo(fullBudget);
                assertThat(learner.registered()).containsExactly(Map.entry("ds-3", fullBudget));
                assertThat(published.get(0).getRecords()).isEqualTo(2 * SPACE.size() + fullBudget);
                assertThat(ModelArtifact.readMetadata(Path.of(published.get(0).getUri().toString())).tasks())
                        .containsExactly("train-a", "train-b", "ds-3");
                long until = System.currentTimeMillis() + 60_000;
                while (!version.equals(models.newestVersion()) && System.currentTimeMillis() < until) {
                    Thread.sleep(100);
                }
                producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), "second",
                        registration("second", uri, Strategy.TASK_AWARE_HYPERBAND))).get();
                assertThat(TopicReader.read(kafka.bootstrapServers(), topics.rankingComputed.name(),
                        topics.rankingComputed.valueSerde().deserializer(), 1, Duration.ofMinutes(1))).hasSize(1);
                // The task-aware search is ranked with the model the first search's results made; the vanilla first
                // search needed no ranking and got none.
                assertThat(TopicReader.all(kafka.bootstrapServers(), topics.rankingComputed.name(),
                        topics.rankingComputed.valueSerde().deserializer(), Duration.ofSeconds(30)))
                        .extracting(r -> r.getExperimentId().toString() + " " + r.getModelVersion())
                        .containsExactly("second " + version);
            } finally {
                recommender.close();
                metaLearner.close();
                for (Thread th : threads) {
                    th.join(30_000);
                }
            }
        }
    }

    @Test
    void partialResultsKeepTheirDifferencesAroundTheLevelTheTrainingTasksGiveThoseConfigurations() {
        // Two results, 0.8 and 0.6, for configurations the training tasks rate 2 and 0 (z) on average; a typical task
        // spreads its accuracies by 0.1. Own z-scores would make them +1 and -1: the second "bad". Anchored: 2 and 0.
        double[] acc = {Double.NaN, 0.8, 0.6, Double.NaN};
        double[] z = MetaLearner.anchored(acc, new double[] {1, 2, 0, -3}, 0.1);
        assertThat(z[0]).isNaN();
        assertThat(z[1]).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(z[2]).isCloseTo(0.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(z[3]).isNaN();
        MetaDataset.TaskRecord a = new MetaDataset.TaskRecord("a", "s", 2, 10, new double[] {0.5, 0.7, 0.9, 0.7});
        MetaDataset.TaskRecord b = new MetaDataset.TaskRecord("b", "s", 2, 10, new double[] {0.9, 0.7, 0.5, 0.7});
        assertThat(MetaLearner.prior(List.of(a, b))).containsExactly(new double[] {0, 0, 0, 0},
                org.assertj.core.data.Offset.offset(1e-9));
        assertThat(MetaLearner.typicalSpread(List.of(a, b))).isCloseTo(Math.sqrt(0.02), org.assertj.core.data.Offset.offset(1e-9));
    }

    /** A registered dataset's training images for meta-training: all of a small one, a seeded few thousand of a large one. */
    @Test
    void aLargeRegisteredDatasetIsMetaTrainedFromASeededSampleOfItsImages() {
        assertThat(MetaLearner.subset(520, "small")).containsExactly(java.util.stream.IntStream.range(0, 520).toArray());
        int[] big = MetaLearner.subset(1_000_000, "big");
        assertThat(big).hasSize(MetaLearner.IMAGES_PER_TASK).isSorted().doesNotHaveDuplicates();
        assertThat(big[0]).isNotNegative();
        assertThat(big[big.length - 1]).as("spread over the whole dataset").isBetween(900_000, 999_999);
        assertThat(MetaLearner.subset(1_000_000, "big")).as("the same results make the same model").containsExactly(big);
        assertThat(MetaLearner.subset(1_000_000, "other")).isNotEqualTo(big);
    }

    @Test
    void theSameResultsMakeTheSameModel() throws Exception {
        Setup s = setup(dir, "same");
        TrainSettings t = TrainSettings.defaults(Variant.BM_SIM, 2, 1).withTopConvTrained(false).withSetsPerStep(10);
        List<io.hyperstar.model.MetaTrainer.TrainingTask> tasks = s.bootstrap().tasks().stream()
                .map(r -> io.hyperstar.model.MetaTrainer.TrainingTask.of(r, s.images().get(r.id()))).toList();
        ImageSet unseen = TaskData.load(s.data().resolve("tasks/registered-1")).train();
        List<float[]> embeddings = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            // Something else uses the engine's generator in between, as other work in the process would.
            ai.djl.engine.Engine.getInstance().setRandomSeed(1000 + run);
            try (HyperStarModel m = MetaLearner.train(SPACE, tasks, t)) {
                embeddings.add(Ranker.rank(m, unseen, Ranker.BATCHES, Ranker.PER_BATCH, 3).embedding());
            }
        }
        assertThat(embeddings.get(1)).containsExactly(embeddings.get(0));
    }

    /** A search of the synthetic curves' dataset ds-3, whose images are the registered-1 task. */
    private static DatasetRegistered registration(String id, String uri, Strategy strategy) {
        DatasetRegistered r = TestEvents.registration(id, "ds-3", strategy, 9, 3, 0);
        return DatasetRegistered.newBuilder(r).setUri(uri).build();
    }
}
