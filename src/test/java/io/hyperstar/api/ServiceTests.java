package io.hyperstar.api;

import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.ModelPublished;
import io.hyperstar.events.RankingComputed;
import io.hyperstar.events.TaskWeight;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.Topics;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.testing.CurveTable;
import io.hyperstar.testing.KafkaBrokerResource;
import io.hyperstar.testing.TestEvents;
import io.hyperstar.testing.TestWorker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.not;

/** The packaged service on a real broker: a search registered over Kafka is visible, to its end, through the read API. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class ServiceTests {

    private static final ConfigSpace SPACE = ConfigSpace.bundled();

    @Inject
    Topics topics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void aRegisteredDatasetIsSearchedToItsEndAndTheApiShowsEveryRung() throws Exception {
        Simulator.Run expected = TestEvents.simulate("api-1", "ds-2", 9, 3, 0);
        try (TestWorker worker = new TestWorker(bootstrap, topics, CurveTable.synthetic());
             KafkaProducer<String, DatasetRegistered> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), "api-1",
                    TestEvents.registration("api-1", "ds-2", Strategy.HYPERBAND, 9, 3, 0))).get();

            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    given().get("/experiments/api-1").then().statusCode(200).body("phase", equalTo("DONE")));
        }
        given().get("/experiments/api-1").then()
                .body("outcome.bestConfigId", equalTo(expected.outcome().bestConfigId()))
                .body("outcome.reason", equalTo("ALL_BRACKETS_DONE"))
                .body("epochsUsed", equalTo((int) expected.outcome().epochsUsed()))
                .body("brackets", hasSize(3))
                .body("brackets[0].rungs[0].trials", hasSize(9))
                .body("brackets[0].rungs[1].trials", hasSize(3))
                .body("best.trialId", notNullValue());
        given().get("/experiments").then().statusCode(200).body("experimentId", hasItem("api-1"));
        given().get("/experiments?tenant=team-a&dataset=ds-2&phase=DONE").then().statusCode(200)
                .body("experimentId", hasItem("api-1")).body("tenant", everyItem(equalTo("team-a")))
                .body("phase", everyItem(equalTo("DONE")));
        given().get("/experiments?phase=RUNNING").then().statusCode(200).body("experimentId", not(hasItem("api-1")));
        given().get("/experiments?tenant=team-b").then().statusCode(200).body("experimentId", not(hasItem("api-1")));
        given().get("/experiments?phase=FINISHED").then().statusCode(400).body("error", containsString("is not one of"));
        given().get("/experiments/no-such-experiment").then().statusCode(404);
    }

    @Test
    void healthMetricsAndOpenApiAreServed() {
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")));
        // Readiness is about the topics; liveness follows the streams' state, which reaches RUNNING a moment later.
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() ->
                given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP")));
        // The scheduler's own meters appear once its stream tasks are initialised, shortly after it reports ready.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/q/metrics").then().statusCode(200)
                .body(containsString("kafka_stream")).body(containsString("hyperstar_scheduler_trials_requested_total")));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/experiments/{id}")).body(containsString("X-HyperSTAR-Next"))
                .body(containsString("/experiments/{id}/ranking")).body(containsString("/models"))
                .body(containsString("/experiments/{id}/cancel")).body(containsString("CancelBody"));
    }

    /**
     * What a user reads besides the searches: the ranking a task-aware search started from, joined with what it then
     * measured; the models the meta-learner announced, newest first; and the dashboard page over both.
     */
    @Test
    void theRankingOfATaskAwareSearchTheAnnouncedModelsAndTheDashboardAreServed() throws Exception {
        List<Integer> ranking = new ArrayList<>(IntStream.range(0, SPACE.size()).boxed().toList());
        Collections.reverse(ranking);
        try (TestWorker worker = new TestWorker(bootstrap, topics, CurveTable.synthetic());
             KafkaProducer<String, DatasetRegistered> producer = producer();
             KafkaProducer<String, RankingComputed> rankings = new KafkaProducer<>(props(), topics.rankingComputed.keySerde().serializer(),
                     topics.rankingComputed.valueSerde().serializer());
             KafkaProducer<String, ModelPublished> models = new KafkaProducer<>(props(), topics.modelPublished.keySerde().serializer(),
                     topics.modelPublished.valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), "api-ta",
                    TestEvents.registration("api-ta", "ds-4", Strategy.TASK_AWARE_HYPERBAND, 9, 3, 0))).get();
            producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), "api-v",
                    TestEvents.registration("api-v", "ds-4", Strategy.HYPERBAND, 3, 3, 0))).get();
            rankings.send(new ProducerRecord<>(topics.rankingComputed.name(), "api-ta", RankingComputed.newBuilder()
                    .setExperimentId("api-ta").setDatasetId("ds-4").setOk(true).setModelVersion("model-under-test")
                    .setConfigSpaceFingerprint(SPACE.fingerprint()).setRanking(ranking)
                    .setScores(ranking.stream().map(c -> 0.0).toList()).setEmbedding(List.of()).setMillis(3).setDevice("cpu()")
                    .setNearestTasks(List.of(new TaskWeight("mnist-10", 0.2), new TaskWeight("fashion-10", 0.5),
                            new TaskWeight("greek-upper-24", 0.3)))
                    .build())).get();
            for (String version : List.of("v-older", "v-newer")) {
                models.send(new ProducerRecord<>(topics.modelPublished.name(), version, ModelPublished.newBuilder()
                        .setVersion(version).setUri("/models/" + version).setSha256("ab").setConfigSpaceFingerprint(SPACE.fingerprint())
                        .setTasks(version.equals("v-newer") ? 37 : 36).setRecords(3_300).setValidationAp10(0.5)
                        .setPublishedAtMs(Instant.ofEpochMilli(version.equals("v-newer") ? 2_000 : 1_000)).build())).get();
            }
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                given().get("/experiments/api-ta").then().statusCode(200).body("phase", equalTo("DONE"));
                given().get("/experiments/api-v").then().statusCode(200).body("phase", equalTo("DONE"));
            });
        }
        // Task-aware Hyperband with R = 9 fills every bracket from the top 9: the top is tried, the bottom never.
        given().get("/experiments/api-ta/ranking").then().statusCode(200)
                .body("modelVersion", equalTo("model-under-test"))
                .body("millis", equalTo(3))
                .body("device", equalTo("cpu()"))
                .body("rankedLike.taskId", contains("fashion-10", "greek-upper-24", "mnist-10"))
                .body("ranking", hasSize(SPACE.size()))
                .body("ranking[0].rank", equalTo(1))
                .body("ranking[0].configId", equalTo(SPACE.size() - 1))
                .body("ranking[0].config.optimizer", notNullValue())
                .body("ranking[0].trials", greaterThan(0))
                .body("ranking[0].bestTop1", notNullValue())
                .body("ranking[89].trials", equalTo(0))
                .body("ranking[89].bestTop1", nullValue());
        given().get("/experiments/api-v/ranking").then().statusCode(404).body("error", containsString("has no ranking"));
        // Operators count completed searches by strategy.
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("hyperstar_scheduler_experiments_completed_total{outcome=\"ALL_BRACKETS_DONE\",strategy=\"TASK_AWARE_HYPERBAND\"}"));
        given().get("/experiments/nobody/ranking").then().statusCode(404).body("error", containsString("no experiment nobody"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/models").then().statusCode(200)
                .body("version", contains("v-newer", "v-older"))
                .body("newest", contains(true, false))
                .body("[0].tasks", equalTo(37)));

        given().get("/").then().statusCode(200).contentType(containsString("text/html"))
                .body(containsString("HyperSTAR dashboard"))
                .body(containsString("\"/ranking\""))
                .body(containsString("/models"));
    }

    @Test
    void aRunningSearchIsCancelledThroughTheApiAndEndsAtOnceWithTheReasonOnTheWire() throws Exception {
        // No worker answers, so the search stays running with its first rung in flight until it is cancelled.
        try (KafkaProducer<String, DatasetRegistered> producer = producer()) {
            producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), "api-cancel",
                    TestEvents.registration("api-cancel", "ds-2", Strategy.HYPERBAND, 9, 3, 0))).get();
            producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), "api-cancel-2",
                    TestEvents.registration("api-cancel-2", "ds-2", Strategy.HYPERBAND, 9, 3, 0))).get();
        }
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                given().get("/experiments/api-cancel").then().statusCode(200).body("phase", equalTo("RUNNING")));

        given().contentType("application/json").body("{\"reason\": \"wrong labels\", \"requestedBy\": \"ops\"}")
                .post("/experiments/api-cancel/cancel").then().statusCode(202).body("status", equalTo("cancel requested"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                given().get("/experiments/api-cancel").then().statusCode(200).body("phase", equalTo("DONE"))
                        .body("outcome.reason", equalTo("CANCELLED"))
                        .body("note", equalTo("cancelled: wrong labels (by ops) (9 trial(s) in flight abandoned)")));
        // Without a body too; and what cannot be cancelled says why.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                given().get("/experiments/api-cancel-2").then().statusCode(200).body("phase", equalTo("RUNNING")));
        given().post("/experiments/api-cancel-2/cancel").then().statusCode(202);
        given().contentType("application/json").body("{}").post("/experiments/api-cancel/cancel").then().statusCode(409)
                .body("error", equalTo("experiment api-cancel already ended (CANCELLED)"));
        given().body("reason=nope").post("/experiments/api-cancel-2/cancel").then().statusCode(400)
                .body("error", containsString("the body must be"));
        given().post("/experiments/nobody/cancel").then().statusCode(404).body("error", containsString("no experiment nobody"));

        // What the platform reads: the result event, in Avro, says cancelled.
        List<io.hyperstar.events.ExperimentCompleted> ended = io.hyperstar.testing.TopicReader.read(bootstrap,
                topics.experimentCompleted.name(), topics.experimentCompleted.valueSerde().deserializer(),
                e -> e.getExperimentId().startsWith("api-cancel"), 2, Duration.ofSeconds(30));
        assertThat(ended).extracting(e -> e.getExperimentId(), e -> e.getCancelled(), e -> e.getTrialsRequested(), e -> e.getTrialsFailed())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("api-cancel", true, 9, 0),
                        org.assertj.core.groups.Tuple.tuple("api-cancel-2", true, 9, 0));
    }

    private Properties props() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }

    private KafkaProducer<String, DatasetRegistered> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, topics.datasetRegistered.keySerde().serializer(), topics.datasetRegistered.valueSerde().serializer());
    }
}
