package io.hyperstar.api;

import io.hyperstar.events.DatasetRegistered;
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
import java.util.Properties;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

/** The packaged service on a real broker: a search registered over Kafka is visible, to its end, through the read API. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = true)
class ServiceTests {

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
        given().get("/q/openapi").then().statusCode(200).body(containsString("/experiments/{id}"));
    }

    private KafkaProducer<String, DatasetRegistered> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return new KafkaProducer<>(p, topics.datasetRegistered.keySerde().serializer(), topics.datasetRegistered.valueSerde().serializer());
    }
}
