package io.hyperstar.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.Topics;
import io.hyperstar.testing.KafkaBroker;
import io.hyperstar.testing.PackagedRoles;
import io.hyperstar.testing.TestEvents;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of the packaged service (the jar `mvn package` builds, as Kubernetes runs it with two replicas) sharing
 * the experiments' partitions on a real broker: either instance answers for every experiment, lists them all, and
 * cancels one the other holds. Run by failsafe after the package phase.
 */
class TwoInstancesIT {

    private static final Topics TOPICS = Topics.defaults();
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withTopics(TOPICS, 6);
    private static final int EXPERIMENTS = 12;

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static PackagedRoles roles;
    private static final List<String> urls = new ArrayList<>();

    @BeforeAll
    static void startTwoInstances() throws Exception {
        roles = new PackagedRoles("two-instances");
        List<PackagedRoles.Service> services = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            services.add(roles.service(name, kafka.bootstrapServers(), Map.of(), "-Dhyperstar.topics.create=false",
                    "-Dhyperstar.topics.partitions=6",
                    // A short retention, so that the cancelled search below is archived while the test watches.
                    "-Dhyperstar.scheduler.retention=5s", "-Dhyperstar.scheduler.check-interval=1s"));
        }
        for (PackagedRoles.Service s : services) {
            urls.add(s.awaitReady().url());
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (roles != null) {
            roles.close();
        }
    }

    @Test
    void eitherInstanceAnswersForEveryExperimentAndCancelsOneTheOtherHolds() throws Exception {
        List<String> ids = IntStream.range(0, EXPERIMENTS).mapToObj(i -> "two-" + i).toList();
        // No worker answers: every search stays running with its first rung in flight.
        try (KafkaProducer<String, DatasetRegistered> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                TOPICS.datasetRegistered.keySerde().serializer(), TOPICS.datasetRegistered.valueSerde().serializer())) {
            for (String id : ids) {
                producer.send(new ProducerRecord<>(TOPICS.datasetRegistered.name(), id,
                        TestEvents.registration(id, "ds-2", Strategy.HYPERBAND, 9, 3, 0))).get();
            }
        }
        for (String url : urls) {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(idsOf(get(url + "/experiments?limit=100"))).as("the list on " + url).containsExactlyInAnyOrderElementsOf(ids));
        }
        // Newest first, by when the scheduler registered each search, across both instances' partitions; a limit keeps
        // the newest, wherever they are held.
        JsonNode full = JSON.readTree(get(urls.get(0) + "/experiments?limit=100").body());
        List<Long> created = StreamSupport.stream(full.spliterator(), false).map(e -> e.get("createdAtMs").asLong()).toList();
        assertThat(created).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        List<String> newestFirst = idsOf(get(urls.get(0) + "/experiments?limit=100"));
        for (String url : urls) {
            assertThat(idsOf(get(url + "/experiments?limit=100"))).containsExactlyElementsOf(newestFirst);
            assertThat(idsOf(get(url + "/experiments?limit=3"))).as("the 3 newest on " + url).containsExactlyElementsOf(newestFirst.subList(0, 3));
        }
        // Pages of 5 from either instance, each continuing where the last ended (X-HyperSTAR-Next), give the whole list.
        for (String url : urls) {
            List<String> paged = new ArrayList<>();
            String next = null;
            for (int page = 0; page < 4; page++) {
                HttpResponse<String> r = get(url + "/experiments?limit=5" + (next == null ? "" : "&after=" + java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8)));
                paged.addAll(idsOf(r));
                next = r.headers().firstValue(ExperimentResource.NEXT).orElse(null);
                if (next == null) {
                    break;
                }
            }
            assertThat(paged).as("paged on " + url).containsExactlyElementsOf(newestFirst);
        }
        assertThat(get(urls.get(1) + "/experiments?after=yesterday").statusCode()).isEqualTo(400);
        // The partitions are shared: each instance holds some of the experiments, and only those.
        Set<String> heldByA = new HashSet<>(idsOf(get(urls.get(0) + "/experiments?forwarded=true")));
        Set<String> heldByB = new HashSet<>(idsOf(get(urls.get(1) + "/experiments?forwarded=true")));
        assertThat(heldByA).as("instance a holds some").isNotEmpty().doesNotContainAnyElementsOf(heldByB);
        assertThat(heldByB).as("instance b holds some").isNotEmpty();
        assertThat(heldByA.size() + heldByB.size()).isEqualTo(EXPERIMENTS);

        for (String url : urls) {
            for (String id : ids) {
                HttpResponse<String> one = get(url + "/experiments/" + id);
                assertThat(one.statusCode()).as(url + " for " + id).isEqualTo(200);
                assertThat(JSON.readTree(one.body()).get("experimentId").asText()).isEqualTo(id);
                assertThat(JSON.readTree(one.body()).get("trialsRequested").asInt()).isEqualTo(9);
            }
            assertThat(get(url + "/experiments/nobody").statusCode()).isEqualTo(404);
        }

        // Cancelled through the instance that does not hold it.
        String heldByBOnly = heldByB.iterator().next();
        HttpResponse<String> cancel = HTTP.send(HttpRequest.newBuilder(URI.create(urls.get(0) + "/experiments/" + heldByBOnly + "/cancel"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"test\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            JsonNode e = JSON.readTree(get(urls.get(0) + "/experiments/" + heldByBOnly).body());
            assertThat(e.get("phase").asText()).isEqualTo("DONE");
            assertThat(e.get("outcome").get("reason").asText()).isEqualTo("CANCELLED");
        });
        assertThat(JSON.readTree(get(urls.get(1) + "/experiments/" + heldByBOnly).body()).get("note").asText())
                .isEqualTo("cancelled: test (9 trial(s) in flight abandoned)");
        // Filters travel with the list to every instance.
        List<String> running = newestFirst.stream().filter(id -> !id.equals(heldByBOnly)).toList();
        for (String url : urls) {
            assertThat(idsOf(get(url + "/experiments?phase=RUNNING&tenant=team-a"))).containsExactlyElementsOf(running);
            assertThat(idsOf(get(url + "/experiments?phase=DONE"))).containsExactly(heldByBOnly);
        }
        // Five seconds after it ended (the retention these instances run with), the cancelled search is archived: its
        // result and counts stay, its trials go. The running ones are never archived.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(JSON.readTree(get(urls.get(0) + "/experiments/" + heldByBOnly).body()).get("archived").asBoolean()).isTrue());
        JsonNode archived = JSON.readTree(get(urls.get(0) + "/experiments/" + heldByBOnly).body());
        assertThat(archived.get("brackets")).isEmpty();
        assertThat(archived.get("trialsRequested").asInt()).isEqualTo(9);
        assertThat(archived.get("outcome").get("reason").asText()).isEqualTo("CANCELLED");
        assertThat(archived.get("note").asText()).isEqualTo("cancelled: test (9 trial(s) in flight abandoned)");
        assertThat(archived.get("completedAtMs").asLong()).isGreaterThan(archived.get("createdAtMs").asLong());
        for (String id : running) {
            JsonNode e = JSON.readTree(get(urls.get(1) + "/experiments/" + id).body());
            assertThat(e.get("archived").asBoolean()).as(id).isFalse();
            assertThat(e.get("brackets").get(0).get("rungs").get(0).get("trials")).as(id).hasSize(9);
        }
    }

    private static List<String> idsOf(HttpResponse<String> list) throws IOException {
        assertThat(list.statusCode()).isEqualTo(200);
        return StreamSupport.stream(JSON.readTree(list.body()).spliterator(), false)
                .map(e -> e.get("experimentId").asText()).toList();
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return PackagedRoles.get(url);
    }
}
