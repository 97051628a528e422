package io.hyperstar.metalearn;

import io.hyperstar.events.KafkaClients;
import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.events.ModelPublished;
import io.hyperstar.events.Topics;
import io.hyperstar.ops.Acls;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.LocalKafka;
import io.hyperstar.testing.PackagedRoles;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The meta-learner role, run as its own process the way a deployment runs it (MetaLearnerMain, given only the cluster's
 * address and its client settings file), on a broker that takes only TLS with SCRAM credentials and denies whatever no
 * ACL allows, as a principal holding nothing but the ACLs {@code ops.Acls --role meta-learner} derives: it reads the
 * meta-dataset topic from its beginning, dead-letters a record it cannot use, retrains, and announces the admitted
 * model on model-published. The same setup as {@link MetaLearnerTests}' publishing test (a model in use that ranks the
 * gate task the wrong way round), so the candidate is admitted and the write to model-published does happen. The ACL
 * to write there is granted only once the role has run into its absence: an admitted model the cluster refuses to
 * announce is offered again until it goes out, once, not lost (before, the meta-learner ranked with it and gated the
 * next candidate against it, but no recommender ever heard of it).
 */
class MetaLearnerAclTests {

    private static final ConfigSpace SPACE = ConfigSpace.bundled();
    private static final Topics TOPICS = Topics.defaults();

    @TempDir
    Path dir;

    @Test
    void withOnlyItsDerivedAclsTheMetaLearnerReadsResultsDeadLettersAndPublishesItsModel() throws Exception {
        MetaLearnerTests.Setup s = MetaLearnerTests.setup(dir, "acl");
        Path in = MetaLearnerTests.incumbent(dir, s, "in-use", MetaLearnerTests.rising(true), MetaLearnerTests.rising(true));
        Path metadataset = writeLayout(s.bootstrap(), dir.resolve("metadataset"));
        String uri = s.data().resolve("tasks/registered-1").toString();
        assertThat("registered-1".hashCode() % 1000).as("not a gate task under --gate-every 1000").isNotZero();

        try (LocalKafka kafka = LocalKafka.startSecuredWithAcls()) {
            String bootstrap = kafka.bootstrapServers();
            List<AclBinding> derived = Acls.forRole(Acls.Role.META_LEARNER, "User:meta-learner", TOPICS, "hyperstar-scheduler");
            AclBinding announce = derived.stream().filter(b -> b.pattern().name().equals(TOPICS.modelPublished.name())
                    && b.entry().operation() == AclOperation.WRITE).findFirst().orElseThrow();
            // As in a deployment whose ACLs predate the role's read of its own dead letters.
            AclBinding readDeadLetters = derived.stream().filter(b -> b.pattern().name().equals(TOPICS.deadLetter.name())
                    && b.entry().operation() == AclOperation.READ).findFirst().orElseThrow();
            // This JVM's own clients connect as admin, with explicit settings: KafkaClients keeps the first settings
            // file a process reads, and the meta-learner's process gets its own.
            Properties admin = KafkaClients.connection(bootstrap, KafkaClients.read(kafka.clientConfig("admin")));
            try (Admin a = Admin.create(admin)) {
                a.createTopics(List.of(new NewTopic(TOPICS.metaDataset.name(), 2, (short) 1),
                        new NewTopic(TOPICS.modelPublished.name(), 1, (short) 1),
                        new NewTopic(TOPICS.deadLetter.name(), 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
                // Every derived ACL but the one to announce a model and the one to read dead letters: granted later.
                a.createAcls(derived.stream().filter(b -> !b.equals(announce) && !b.equals(readDeadLetters)).toList())
                        .all().get(60, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(admin, Serdes.ByteArray().serializer(),
                    Serdes.ByteArray().serializer())) {
                String topic = TOPICS.metaDataset.name();
                List<MetaDatasetRecord> records = new ArrayList<>();
                records.add(MetaLearnerTests.record("registered-2", uri, 3, 0.5, "another-space"));
                for (int c = 70; c < 82; c++) {
                    records.add(MetaLearnerTests.record("registered-1", uri, c, 0.5 + c / 1000.0, SPACE.fingerprint()));
                }
                // Another role's dead letter, already there when the meta-learner starts: the topic is not empty to it.
                String dl = TOPICS.deadLetter.name();
                p.send(new ProducerRecord<>(dl, "x".getBytes(StandardCharsets.UTF_8), TOPICS.deadLetter.valueSerde().serializer()
                        .serialize(dl, io.hyperstar.events.DeadLetters.of("hyperstar-trial-completed", 0, 7, null, new byte[]{1},
                                "not Avro", "scheduler")))).get();
                for (MetaDatasetRecord r : records) {
                    p.send(new ProducerRecord<>(topic, (r.getDatasetId() + "/" + r.getConfigId()).getBytes(StandardCharsets.UTF_8),
                            TOPICS.metaDataset.valueSerde().serializer().serialize(topic, r))).get();
                }
            }

            int metricsPort = PackagedRoles.freePort();
            Path log = dir.resolve("meta-learner.log");
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                    "io.hyperstar.metalearn.MetaLearnerMain", "--bootstrap", bootstrap, "--metadataset", metadataset.toString(),
                    "--data", s.data().toString(), "--model", in.toString(), "--models", dir.resolve("models").toString(),
                    "--data-roots", s.data().toString(), "--retrain-every", "10", "--min-configs", "10",
                    "--gate-every", "1000", "--epochs", "1", "--metrics", "127.0.0.1:" + metricsPort)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put(KafkaClients.FILE_ENV, kafka.clientConfig("meta-learner").toString());
            pb.environment().put("OPT_OUT_TRACKING", "true");
            Process role = pb.start();
            try {
                // Refused: the model it admitted is in use there, waits to be announced, and is offered again.
                String metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
                awaitLog(log, role, "not announced (attempt 2)", Duration.ofMinutes(4));
                assertThat(Files.readString(log)).contains("cannot read " + TOPICS.deadLetter.name())
                        .contains("grant the role's ACLs anew");
                assertThat(scrape(metrics)).contains("hyperstar_announcement_pending{role=\"meta-learner\",} 1.0")
                        .contains("hyperstar_retrainings_total{outcome=\"announcement-pending\",role=\"meta-learner\",} 1.0")
                        .doesNotContain("outcome=\"published\"");
                assertThat(read(admin, TOPICS.modelPublished.name(), 1, Duration.ofSeconds(3), role, log)).isEmpty();

                // Granted: the same model goes out, once, with no new retraining.
                try (Admin a = Admin.create(admin)) {
                    a.createAcls(List.of(announce, readDeadLetters)).all().get(60, TimeUnit.SECONDS);
                }
                List<ModelPublished> published = read(admin, TOPICS.modelPublished.name(), 1, Duration.ofMinutes(2), role, log)
                        .stream().map(r -> TOPICS.modelPublished.valueSerde().deserializer().deserialize(r.topic(), r.value())).toList();
                List<io.hyperstar.events.DeadLetter> dead = read(admin, TOPICS.deadLetter.name(), 2, Duration.ofMinutes(1), role, log)
                        .stream().map(r -> TOPICS.deadLetter.valueSerde().deserializer().deserialize(r.topic(), r.value()))
                        .filter(d -> d.getRole().toString().equals("meta-learner")).toList();
                String said = Files.readString(log);

                assertThat(published).as(said).hasSize(1);
                ModelPublished m = published.get(0);
                assertThat(said).contains("model " + m.getVersion() + " is in use here but not announced")
                        .containsPattern("published " + java.util.regex.Pattern.quote(m.getVersion().toString())
                                + " on " + TOPICS.modelPublished.name() + " after [0-9]+ attempts");
                assertThat(m.getConfigSpaceFingerprint().toString()).isEqualTo(SPACE.fingerprint());
                assertThat(m.getRecords()).isEqualTo(2 * SPACE.size() + 12);
                assertThat(Path.of(m.getUri().toString())).startsWith(dir.resolve("models")).isDirectory();
                assertThat(dead).as(said).singleElement().satisfies(d ->
                        assertThat(d.getReason().toString()).contains("another-space"));
                Thread.sleep(ANNOUNCE_WAIT.toMillis());
                assertThat(read(admin, TOPICS.modelPublished.name(), 2, Duration.ofSeconds(3), role, log)).as("announced once").hasSize(1);
                assertThat(scrape(metrics)).contains("hyperstar_announcement_pending{role=\"meta-learner\",} 0.0")
                        .contains("hyperstar_retrainings_total{outcome=\"announcement-pending\",role=\"meta-learner\",} 1.0")
                        .contains("hyperstar_records_total{outcome=\"folded\",role=\"meta-learner\",} 12.0")
                        .contains("hyperstar_records_total{outcome=\"dead-letter\",role=\"meta-learner\",} 1.0");
            } finally {
                role.destroy();
                if (!role.waitFor(30, TimeUnit.SECONDS)) {
                    role.destroyForcibly();
                }
            }
        }
    }

    /** Longer than one retry of the announcement: a second copy would have been sent by then. */
    private static final Duration ANNOUNCE_WAIT = MetaLearnerMain.ANNOUNCE_RETRY.plusSeconds(2);

    private static String scrape(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits until the role's log says {@code text}; fails at once if the role ends first. */
    private static void awaitLog(Path log, Process role, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.readString(log).contains(text)) {
            if (!role.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the meta-learner's log never said \"" + text + "\"" + (role.isAlive() ? "" : " (it ended)")
                        + ":\n" + Files.readString(log));
            }
            Thread.sleep(250);
        }
    }

    /** The bootstrap meta-dataset in the builder's layout, which MetaLearnerMain reads: R = 27, each accuracy at 25-27. */
    private static Path writeLayout(MetaDataset meta, Path out) throws Exception {
        Files.createDirectories(out);
        Files.writeString(out.resolve("metadataset.json"), "{\"space_fingerprint\": \"" + SPACE.fingerprint() + "\", \"epochs\": 27}");
        StringBuilder tasks = new StringBuilder("task_id,source,classes,train,val,test,recipe\n");
        StringBuilder curves = new StringBuilder("task_id,config_id,epoch,val_top1,test_top1,seconds\n");
        for (MetaDataset.TaskRecord t : meta.tasks()) {
            tasks.append(t.id()).append(',').append(t.source()).append(',').append(t.classes()).append(',')
                    .append(t.train()).append(",4,4,tiny\n");
            for (int c = 0; c < SPACE.size(); c++) {
                for (int e = 25; e <= 27; e++) {
                    curves.append(t.id()).append(',').append(c).append(',').append(e).append(',').append(t.valAtR()[c])
                            .append(',').append(t.valAtR()[c]).append(",0.1\n");
                }
            }
        }
        Files.writeString(out.resolve("tasks.csv"), tasks);
        Files.writeString(out.resolve("curves.csv"), curves);
        return out;
    }

    /** The first {@code n} records of a topic, read as admin; gives up early if the role's process has ended. */
    private static List<ConsumerRecord<byte[], byte[]>> read(Properties admin, String topic, int n, Duration timeout,
                                                             Process role, Path log) throws Exception {
        Properties c = new Properties();
        c.putAll(admin);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, Serdes.ByteArray().deserializer(),
                Serdes.ByteArray().deserializer())) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < n && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
                if (!role.isAlive() && out.size() < n) {
                    throw new AssertionError("the meta-learner ended (exit " + role.exitValue() + ") before " + topic
                            + " had " + n + " record(s):\n" + Files.readString(log));
                }
            }
        }
        return out;
    }
}
