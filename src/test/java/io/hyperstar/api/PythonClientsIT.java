package io.hyperstar.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperstar.events.DeadLetter;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.testing.KafkaBroker;
import io.hyperstar.testing.LocalKafka;
import io.hyperstar.testing.PackagedRoles;
import io.hyperstar.testing.TestEvents;
import io.hyperstar.testing.TopicReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Python examples a platform team starts from (src/examples/python), against the packaged service on a real
 * broker: register.py registers a search and waits for its result, trainer.py answers its trials in Kafka transactions.
 * The bytes each side writes are the other's to read (Avro single-object encoding, fingerprints included): the search
 * ends exactly as the core's simulation on the same curves says, every trial answered once by the Python trainer, and
 * nothing refused. On a secured broker with ACLs, register.py connects with librdkafka's settings as the platform
 * role. Needs python3-avro and python3-confluent-kafka (src/examples/python/setup.sh, which .ci/run calls); skipped,
 * saying so, without them. Run by failsafe after the package phase.
 */
class PythonClientsIT {

    private static final Topics TOPICS = Topics.defaults();
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withTopics(TOPICS, 3);
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static final Path EXAMPLES = Path.of("src/examples/python");

    @BeforeAll
    static void pythonPackages() throws Exception {
        Process probe = new ProcessBuilder(PYTHON, "-c", "import avro.schema, confluent_kafka").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "python3-avro and python3-confluent-kafka are not installed (src/examples/python/setup.sh): the Python examples are not tested");
    }

    @Test
    void aSearchRegisteredFromPythonAndTrainedByAPythonTrainerEndsAsTheCoreSays() throws Exception {
        try (PackagedRoles roles = new PackagedRoles("python")) {
            Process service = roles.service("service", kafka.bootstrapServers(), Map.of(), "-Dhyperstar.topics.create=false",
                    "-Dhyperstar.topics.partitions=3").awaitReady().process();
            roles.run("trainer", Map.of(), List.of(PYTHON, EXAMPLES.resolve("trainer.py").toString(), "--bootstrap", kafka.bootstrapServers(),
                    "--curves", "src/main/resources/metadataset/curves.csv", "--id", "py-1"));
            int status = roles.exitOf("register", roles.run("register", Map.of(), List.of(PYTHON, EXAMPLES.resolve("register.py").toString(),
                    "--bootstrap", kafka.bootstrapServers(), "--experiment", "py-search", "--dataset", "fashion-tops-4",
                    "--uri", "/data/tasks/fashion-tops-4", "--strategy", "HYPERBAND", "--max-epochs", "9", "--eta", "3",
                    "--seed", String.valueOf(TestEvents.SEED), "--wait", "240")), Duration.ofMinutes(5));
            List<String> lines = Files.readAllLines(roles.log("register"));
            assertThat(status).as(String.join("\n", lines)).isZero();
            assertThat(lines).contains("registered py-search: HYPERBAND on fashion-tops-4");
            JsonNode result = new ObjectMapper().readTree(lines.get(lines.size() - 1));

            Simulator.Run expected = TestEvents.simulateRecorded("py-search", "fashion-tops-4", 9, 3);
            assertThat(result.get("outcome").asText()).isEqualTo("ALL_BRACKETS_DONE");
            assertThat(result.get("bestConfigId").asInt()).isEqualTo(expected.outcome().bestConfigId());
            assertThat(result.get("bestTop1").asDouble()).isEqualTo(expected.outcome().bestTop1());
            assertThat(result.get("epochsUsed").asLong()).isEqualTo(expected.outcome().epochsUsed());
            assertThat(result.get("trialsRequested").asInt()).isEqualTo(expected.outcome().trialsRequested());
            assertThat(result.get("trialsFailed").asInt()).isZero();

            List<TrialCompleted> answers = TopicReader.all(kafka.bootstrapServers(), TOPICS.trialCompleted.name(),
                    TOPICS.trialCompleted.valueSerde().deserializer(), Duration.ofSeconds(30));
            assertThat(answers).hasSize(expected.outcome().trialsRequested()).extracting(a -> a.getTrialId().toString()).doesNotHaveDuplicates();
            assertThat(answers).allSatisfy(a -> assertThat(a.getWorker().toString()).isEqualTo("py-1"));
            List<DeadLetter> dead = TopicReader.all(kafka.bootstrapServers(), TOPICS.deadLetter.name(),
                    TOPICS.deadLetter.valueSerde().deserializer(), Duration.ofSeconds(30));
            assertThat(dead).as("nothing the Python side wrote was refused").isEmpty();
            assertThat(service.isAlive()).isTrue();
        }
    }

    @Test
    void onASecuredBrokerThePythonProducerConnectsWithLibrdkafkasSettingsAsThePlatformRole() throws Exception {
        try (LocalKafka secured = LocalKafka.startSecuredWithAcls(); PackagedRoles roles = new PackagedRoles("python-secured")) {
            Map<String, String> admin = Map.of("HYPERSTAR_KAFKA_CONFIG", secured.clientConfig("admin").toAbsolutePath().toString());
            assertThat(roles.exitOf("acls", roles.cli("acls", admin, "io.hyperstar.ops.Acls", "--bootstrap", secured.bootstrapServers(),
                    "--role", "platform", "--principal", "User:platform", "--apply"), Duration.ofMinutes(2))).isZero();
            // The topics, as the service would create them; the platform role may not.
            assertThat(roles.exitOf("topics", roles.cli("topics", admin, "io.hyperstar.events.TopicCreator", "--bootstrap", secured.bootstrapServers()), Duration.ofMinutes(2)))
                    .as(Files.readString(roles.log("topics"))).isZero();
            int status = roles.exitOf("register", roles.run("register", Map.of(), List.of(PYTHON, EXAMPLES.resolve("register.py").toString(),
                    "--bootstrap", secured.bootstrapServers(), "--kafka-config", secured.librdkafkaConfig("platform").toString(),
                    "--experiment", "py-secured", "--dataset", "fashion-tops-4", "--uri", "/data/tasks/fashion-tops-4")), Duration.ofMinutes(2));
            assertThat(status).as(Files.readString(roles.log("register"))).isZero();
            assertThat(Files.readString(roles.log("register"))).contains("registered py-secured");
        }
    }
}
