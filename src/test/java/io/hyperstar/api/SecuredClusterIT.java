package io.hyperstar.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.testing.LocalKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged roles against a cluster secured as production clusters are (TLS, SCRAM-SHA-512 credentials, and an
 * authorizer that denies whatever no ACL allows), each running as a principal of its own that holds only its role's ACLs
 * (granted with {@code ops.Acls --apply}), and given only the cluster's address and its client settings file
 * (HYPERSTAR_KAFKA_CONFIG), as the Kubernetes manifests give it: the service creates the topics and schedules, the
 * recommender ranks, the worker fine-tunes with DJL, the producers' client registers a task-aware search and waits for
 * its result, and an operator lists a dead letter. With a wrong password the client is refused with the reason, and
 * with another role's credentials it is not authorized; neither registers anything. Run by failsafe after the package
 * phase.
 */
class SecuredClusterIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path APP = Path.of("target/quarkus-app");
    private static final List<Process> processes = new ArrayList<>();
    private static LocalKafka kafka;
    private static Path dir;
    private static Path data;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        assertThat(APP.resolve("quarkus-run.jar")).as("built by mvn package before the integration tests").exists();
        kafka = LocalKafka.startSecuredWithAcls();
        dir = Files.createDirectories(Path.of("target/it-secured/" + System.nanoTime()));
        for (String role : List.of("service", "worker", "recommender", "platform", "operator")) {
            Process grant = run("acls-" + role, kafka.clientConfig("admin"), dir.resolve("acls-" + role + ".out"),
                    cli("io.hyperstar.ops.Acls", "--bootstrap", kafka.bootstrapServers(), "--role", role, "--principal", "User:" + role, "--apply"));
            assertThat(grant.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(grant.exitValue()).as(Files.readString(dir.resolve("acls-" + role + ".out"))).isZero();
        }
        data = dir.resolve("data");
        TestTasks.materialise(data, "secured-shapes", 6, TaskData.Format.IDX, 31);
        int port = freePort();
        url = "http://127.0.0.1:" + port;
        start("service", kafka.clientConfig("service"), List.of("-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dkafka.bootstrap.servers=" + kafka.bootstrapServers(), "-Dkafka-streams.state.dir=" + dir.resolve("state"),
                "-Dhyperstar.topics.partitions=2", "-jar", APP.resolve("quarkus-run.jar").toString()));
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> get("/q/health/ready").statusCode() == 200);
        start("recommender", kafka.clientConfig("recommender"), cli("io.hyperstar.recommend.RecommenderMain", "--bootstrap", kafka.bootstrapServers(),
                "--model", "src/main/resources/model", "--data-roots", data.toString(), "--id", "secured-recommender"));
        start("worker", kafka.clientConfig("worker"), cli("io.hyperstar.worker.WorkerMain", "--bootstrap", kafka.bootstrapServers(),
                "--mode", "train", "--data-roots", data.toString(), "--checkpoints", dir.resolve("checkpoints").toString(),
                "--id", "secured-worker"));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyRoleWorksOnASecuredClusterWithTheSettingsFileAndAWrongPasswordIsRefusedWithTheReason() throws Exception {
        Path output = dir.resolve("register.out");
        Process register = run("register", kafka.clientConfig("platform"), output, cli("io.hyperstar.client.RegisterDataset",
                "--bootstrap", kafka.bootstrapServers(), "--experiment", "secured-1", "--dataset", "secured-shapes",
                "--uri", data.resolve("tasks/secured-shapes").toString(), "--strategy", "TASK_AWARE_HYPERBAND",
                "--max-epochs", "3", "--eta", "3", "--wait", "240"));
        assertThat(register.waitFor(5, TimeUnit.MINUTES)).as("the client returns within its wait").isTrue();
        String printed = Files.readString(output);
        assertThat(register.exitValue()).as(printed).isZero();
        assertThat(printed).contains("registered secured-1").contains("| secured-1 | TASK_AWARE_HYPERBAND | ALL_BRACKETS_DONE |");

        // The search started from the recommender's ranking (it did not fall back to vanilla Hyperband), and the worker
        // trained every trial.
        JsonNode ranking = JSON.readTree(get("/experiments/secured-1/ranking").body());
        assertThat(ranking.get("modelVersion").asText()).isNotBlank();
        assertThat(ranking.get("device").asText()).isNotBlank();
        assertThat(ranking.get("ranking")).hasSize(90);
        JsonNode experiment = JSON.readTree(get("/experiments/secured-1").body());
        assertThat(experiment.get("note").asText()).doesNotContain("vanilla");
        List<JsonNode> trials = StreamSupport.stream(experiment.get("brackets").spliterator(), false)
                .flatMap(b -> StreamSupport.stream(b.get("rungs").spliterator(), false))
                .flatMap(r -> StreamSupport.stream(r.get("trials").spliterator(), false)).toList();
        assertThat(trials).isNotEmpty().allSatisfy(t -> {
            assertThat(t.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(t.get("worker").asText()).isEqualTo("secured-worker");
        });

        // The same client with a wrong password: refused at once with the reason, the password not shown, nothing sent.
        Path wrong = dir.resolve("wrong.properties");
        String settings = Files.readString(kafka.clientConfig("platform"));
        Files.writeString(wrong, settings.replaceAll("username=\"platform\" password=\"[^\"]*\"", "username=\"platform\" password=\"wrong\""));
        Path refusedOut = dir.resolve("refused.out");
        Process refused = run("refused", wrong, refusedOut, cli("io.hyperstar.client.RegisterDataset",
                "--bootstrap", kafka.bootstrapServers(), "--experiment", "secured-2", "--dataset", "secured-shapes",
                "--uri", data.resolve("tasks/secured-shapes").toString(), "--wait", "30"));
        assertThat(refused.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String said = Files.readString(refusedOut);
        assertThat(refused.exitValue()).as(said).isEqualTo(1);
        assertThat(said).contains("refused this client").contains("Authentication failed").contains("sasl.jaas.config=[hidden]")
                .doesNotContain("password=\"wrong\"").doesNotContain("registered secured-2");

        // A worker's credentials cannot register a search: its role has no ACL for that topic.
        Path deniedOut = dir.resolve("denied.out");
        Process denied = run("denied", kafka.clientConfig("worker"), deniedOut, cli("io.hyperstar.client.RegisterDataset",
                "--bootstrap", kafka.bootstrapServers(), "--experiment", "secured-3", "--dataset", "secured-shapes",
                "--uri", data.resolve("tasks/secured-shapes").toString()));
        assertThat(denied.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(denied.exitValue()).isNotZero();
        assertThat(Files.readString(deniedOut)).contains("Not authorized to access topics: [hyperstar-dataset-registered]")
                .doesNotContain("registered secured-3");

        // A request the scheduler refuses becomes a dead letter, which an operator (only its ACLs) lists with Redrive.
        Process bad = run("bad", kafka.clientConfig("platform"), dir.resolve("bad.out"), cli("io.hyperstar.client.RegisterDataset",
                "--bootstrap", kafka.bootstrapServers(), "--experiment", "secured-bad", "--dataset", "secured-shapes",
                "--uri", data.resolve("tasks/secured-shapes").toString(), "--eta", "1"));
        assertThat(bad.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(bad.exitValue()).isZero();
        Path redriveOut = dir.resolve("redrive.out");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            Process redrive = run("redrive", kafka.clientConfig("operator"), redriveOut, cli("io.hyperstar.client.Redrive",
                    "--bootstrap", kafka.bootstrapServers(), "--reason", "eta", "--dry-run"));
            assertThat(redrive.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(redrive.exitValue()).isZero();
            assertThat(Files.readString(redriveOut)).contains("secured-bad").contains("would be sent back").doesNotContain("dry run: 0 of");
        });

        JsonNode all = JSON.readTree(get("/experiments").body());
        assertThat(StreamSupport.stream(all.spliterator(), false).map(e -> e.get("experimentId").asText())).containsExactly("secured-1");
    }

    /** A command-line role as the image's entrypoint runs it: the packaged classpath, logging through JUL. */
    private static List<String> cli(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of("-Dorg.jboss.logging.provider=jdk",
                "-Djava.util.logging.config.file=src/main/jul/cli-logging.properties", "-Djava.awt.headless=true",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1", "-cp",
                String.join(File.pathSeparator, APP.resolve("app/*").toString(), APP.resolve("lib/main/*").toString(),
                        APP.resolve("lib/boot/*").toString()), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void start(String name, Path settings, List<String> args) throws IOException {
        processes.add(run(name, settings, dir.resolve(name + ".log"), args));
    }

    private static Process run(String name, Path settings, Path log, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", "-Dai.djl.offline=true"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        pb.environment().put("HYPERSTAR_KAFKA_CONFIG", settings.toAbsolutePath().toString());
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        return pb.start();
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
