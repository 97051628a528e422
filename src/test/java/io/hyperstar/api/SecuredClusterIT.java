package io.hyperstar.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.testing.LocalKafka;
import io.hyperstar.testing.PackagedRoles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged roles against a cluster secured as production clusters are (TLS, SCRAM-SHA-512 credentials, and an
 * authorizer that denies whatever no ACL allows), each running as a principal of its own that holds only its role's ACLs
 * (granted with {@code ops.Acls --apply}), and given only the cluster's address and its client settings file
 * (HYPERSTAR_KAFKA_CONFIG), as the Kubernetes manifests give it: the service creates the topics and schedules, the
 * recommender ranks, the worker fine-tunes with DJL, the producers' client registers a task-aware search and waits for
 * its result, the meta-learner reads the search's full-budget results, and an operator lists a dead letter. With a wrong password the client is refused with the reason, and
 * with another role's credentials it is not authorized; neither registers anything. Run by failsafe after the package
 * phase.
 */
class SecuredClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalKafka kafka;
    private static PackagedRoles roles;
    private static Path data;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        kafka = LocalKafka.startSecuredWithAcls();
        roles = new PackagedRoles("secured");
        for (String role : List.of("service", "worker", "recommender", "meta-learner", "platform", "operator")) {
            String name = "acls-" + role;
            int status = roles.exitOf(name, roles.cli(name, as("admin"), "io.hyperstar.ops.Acls", "--bootstrap", kafka.bootstrapServers(),
                    "--role", role, "--principal", "User:" + role, "--apply"), Duration.ofMinutes(2));
            assertThat(status).as(Files.readString(roles.log(name))).isZero();
        }
        data = roles.dir().resolve("data");
        TestTasks.materialise(data, "secured-shapes", 6, TaskData.Format.IDX, 31);
        url = roles.service("service", kafka.bootstrapServers(), as("service"), "-Dhyperstar.topics.partitions=2").awaitReady().url();
        roles.cli("recommender", as("recommender"), "io.hyperstar.recommend.RecommenderMain", "--bootstrap", kafka.bootstrapServers(),
                "--model", "src/main/resources/model", "--data-roots", data.toString(), "--id", "secured-recommender");
        roles.cli("worker", as("worker"), "io.hyperstar.worker.WorkerMain", "--bootstrap", kafka.bootstrapServers(),
                "--mode", "train", "--data-roots", data.toString(), "--checkpoints", roles.dir().resolve("checkpoints").toString(),
                "--id", "secured-worker");
        // The meta-learner, on a bootstrap meta-dataset of three tiny tasks; it only has to read what the searches send.
        metaLearnerMetrics = "127.0.0.1:" + PackagedRoles.freePort();
        roles.cli("meta-learner", as("meta-learner"), "io.hyperstar.metalearn.MetaLearnerMain", "--bootstrap", kafka.bootstrapServers(),
                "--metadataset", tinyMetaDataset(roles.dir().resolve("metadataset"), data).toString(), "--data", data.toString(),
                "--model", "src/main/resources/model", "--models", roles.dir().resolve("models").toString(),
                "--data-roots", data.toString(), "--retrain-every", "1000", "--metrics", metaLearnerMetrics);
    }

    private static String metaLearnerMetrics;

    /** A bootstrap meta-dataset in the builder's layout: three materialised shapes tasks, every configuration to R = 27. */
    private static Path tinyMetaDataset(Path dir, Path data) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("metadataset.json"), "{\"space_fingerprint\": \"" + io.hyperstar.space.ConfigSpace.bundled().fingerprint()
                + "\", \"epochs\": 27}");
        StringBuilder tasks = new StringBuilder("task_id,source,classes,train,val,test,recipe\n");
        StringBuilder curves = new StringBuilder("task_id,config_id,epoch,val_top1,test_top1,seconds\n");
        List<String> ids = List.of("boot-a", "boot-b", "boot-c");
        for (int t = 0; t < ids.size(); t++) {
            TestTasks.materialise(data, ids.get(t), 3 + t, TaskData.Format.IDX, 60 + t);
            tasks.append(ids.get(t)).append(",shapes,").append(3 + t).append(",").append(6 * (3 + t)).append(",4,4,tiny\n");
            for (int c = 0; c < io.hyperstar.space.ConfigSpace.bundled().size(); c++) {
                for (int e = 25; e <= 27; e++) {
                    double acc = 0.2 + 0.7 * ((c * (t + 3)) % 90) / 90.0;
                    curves.append(ids.get(t)).append(',').append(c).append(',').append(e).append(',').append(acc).append(',').append(acc).append(",0.1\n");
                }
            }
        }
        Files.writeString(dir.resolve("tasks.csv"), tasks);
        Files.writeString(dir.resolve("curves.csv"), curves);
        return dir;
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (roles != null) {
            roles.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The environment of a process running as this user of the broker: its client settings file. */
    private static Map<String, String> as(String user) {
        return Map.of("HYPERSTAR_KAFKA_CONFIG", kafka.clientConfig(user).toAbsolutePath().toString());
    }

    @Test
    void everyRoleWorksOnASecuredClusterWithTheSettingsFileAndAWrongPasswordIsRefusedWithTheReason() throws Exception {
        int registered = roles.exitOf("register", roles.cli("register", as("platform"), "io.hyperstar.client.RegisterDataset",
                "--bootstrap", kafka.bootstrapServers(), "--experiment", "secured-1", "--dataset", "secured-shapes",
                "--uri", data.resolve("tasks/secured-shapes").toString(), "--strategy", "TASK_AWARE_HYPERBAND",
                "--max-epochs", "3", "--eta", "3", "--wait", "240"), Duration.ofMinutes(5));
        String printed = Files.readString(roles.log("register"));
        assertThat(registered).as(printed).isZero();
        assertThat(printed).contains("registered secured-1").contains("| secured-1 | TASK_AWARE_HYPERBAND | ALL_BRACKETS_DONE |");

        // The search started from the recommender's ranking (it did not fall back to vanilla Hyperband), and the worker
        // trained every trial.
        JsonNode ranking = JSON.readTree(PackagedRoles.get(url + "/experiments/secured-1/ranking").body());
        assertThat(ranking.get("modelVersion").asText()).isNotBlank();
        assertThat(ranking.get("device").asText()).isNotBlank();
        assertThat(ranking.get("ranking")).hasSize(90);
        JsonNode experiment = JSON.readTree(PackagedRoles.get(url + "/experiments/secured-1").body());
        assertThat(experiment.get("note").asText()).doesNotContain("vanilla");
        List<JsonNode> trials = StreamSupport.stream(experiment.get("brackets").spliterator(), false)
                .flatMap(b -> StreamSupport.stream(b.get("rungs").spliterator(), false))
                .flatMap(r -> StreamSupport.stream(r.get("trials").spliterator(), false)).toList();
        assertThat(trials).isNotEmpty().allSatisfy(t -> {
            assertThat(t.get("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(t.get("worker").asText()).isEqualTo("secured-worker");
        });

        // The same client with a wrong password: refused at once with the reason, the password not shown, nothing sent.
        Path wrong = roles.dir().resolve("wrong.properties");
        Files.writeString(wrong, Files.readString(kafka.clientConfig("platform"))
                .replaceAll("username=\"platform\" password=\"[^\"]*\"", "username=\"platform\" password=\"wrong\""));
        int refused = roles.exitOf("refused", roles.cli("refused", Map.of("HYPERSTAR_KAFKA_CONFIG", wrong.toAbsolutePath().toString()),
                "io.hyperstar.client.RegisterDataset", "--bootstrap", kafka.bootstrapServers(), "--experiment", "secured-2",
                "--dataset", "secured-shapes", "--uri", data.resolve("tasks/secured-shapes").toString(), "--wait", "30"), Duration.ofMinutes(2));
        String said = Files.readString(roles.log("refused"));
        assertThat(refused).as(said).isEqualTo(1);
        assertThat(said).contains("refused this client").contains("Authentication failed").contains("sasl.jaas.config=[hidden]")
                .doesNotContain("password=\"wrong\"").doesNotContain("registered secured-2");

        // A worker's credentials cannot register a search: its role has no ACL for that topic.
        int denied = roles.exitOf("denied", roles.cli("denied", as("worker"), "io.hyperstar.client.RegisterDataset",
                "--bootstrap", kafka.bootstrapServers(), "--experiment", "secured-3", "--dataset", "secured-shapes",
                "--uri", data.resolve("tasks/secured-shapes").toString()), Duration.ofMinutes(2));
        assertThat(denied).isNotZero();
        assertThat(Files.readString(roles.log("denied"))).contains("Not authorized to access topics: [hyperstar-dataset-registered]")
                .contains("needs the ACLs of the platform role").doesNotContain("registered secured-3").doesNotContain("\tat ");

        // A request the scheduler refuses becomes a dead letter, which an operator (only its ACLs) lists with Redrive.
        assertThat(roles.exitOf("bad", roles.cli("bad", as("platform"), "io.hyperstar.client.RegisterDataset",
                "--bootstrap", kafka.bootstrapServers(), "--experiment", "secured-bad", "--dataset", "secured-shapes",
                "--uri", data.resolve("tasks/secured-shapes").toString(), "--eta", "1"), Duration.ofMinutes(2))).isZero();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(roles.exitOf("redrive", roles.cli("redrive", as("operator"), "io.hyperstar.client.Redrive",
                    "--bootstrap", kafka.bootstrapServers(), "--reason", "eta", "--dry-run"), Duration.ofMinutes(2))).isZero();
            assertThat(Files.readString(roles.log("redrive"))).contains("secured-bad").contains("would be sent back")
                    .doesNotContain("dry run: 0 of");
        });

        // The meta-learner, with only its ACLs, read the search's full-budget results off the meta-dataset topic.
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(PackagedRoles.get("http://" + metaLearnerMetrics + "/metrics").body())
                        .containsPattern("hyperstar_records_total\\{outcome=\"(folded|dead-letter)\"[^}]*\\} [1-9]"));

        JsonNode all = JSON.readTree(PackagedRoles.get(url + "/experiments").body());
        assertThat(StreamSupport.stream(all.spliterator(), false).map(e -> e.get("experimentId").asText())).containsExactly("secured-1");
    }
}
