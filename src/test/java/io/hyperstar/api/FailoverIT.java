package io.hyperstar.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.testing.KafkaBroker;
import io.hyperstar.testing.PackagedRoles;
import io.hyperstar.testing.TestEvents;
import io.hyperstar.testing.TopicReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kill -9 mid-search, as a node failure or an OOM kill does in Kubernetes: two packaged scheduler instances and two
 * reference workers (replaying the meta-dataset's recorded curves at a twentieth of their recorded training time, so trials
 * are in flight) run twelve Hyperband searches; once a fifth of the trials are answered, one scheduler instance and one
 * worker are killed without warning. The survivors take over their partitions, and every search ends exactly as an
 * uninterrupted one does (the core's simulation on the same curves): the same best configuration, accuracy, epochs and
 * trials, each trial requested and answered once, one result per search, and one meta-dataset record per full-budget
 * trial. Run by failsafe after the package phase.
 */
class FailoverIT {

    private static final Topics TOPICS = Topics.defaults();
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withTopics(TOPICS, 6);
    private static final List<String> TASKS = List.of("fashion-10", "fashion-tops-4", "mnist-10", "mnist-10-blur",
            "greek-lower-24", "latin-upper-26", "shapes-8", "symbols-20-invert", "cyrillic-upper-32", "digits-glyph-10",
            "fashion-10-rot", "mnist-5-rot");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void killingASchedulerInstanceAndAWorkerMidSearchChangesNoResultAndDoesNothingTwice() throws Exception {
        try (PackagedRoles roles = new PackagedRoles("failover")) {
            // The client settings file every role reads (HYPERSTAR_KAFKA_CONFIG), here for client tuning: a dead member
            // leaves its group after 6 s (the broker's minimum) instead of the default 45 s.
            Path settings = Files.writeString(roles.dir().resolve("kafka-client.properties"),
                    "session.timeout.ms=6000\nheartbeat.interval.ms=1000\n");
            Map<String, String> env = Map.of("HYPERSTAR_KAFKA_CONFIG", settings.toAbsolutePath().toString());
            List<PackagedRoles.Service> services = new ArrayList<>();
            for (String name : List.of("service-a", "service-b")) {
                services.add(roles.service(name, kafka.bootstrapServers(), env, "-Xmx512m", "-Dhyperstar.topics.create=false",
                        "-Dhyperstar.topics.partitions=6"));
            }
            services.forEach(PackagedRoles.Service::awaitReady);
            List<Process> workers = new ArrayList<>();
            for (String name : List.of("worker-1", "worker-2")) {
                workers.add(roles.cli(name, env, "io.hyperstar.worker.WorkerMain", "--bootstrap", kafka.bootstrapServers(),
                        "--mode", "replay", "--curves", "src/main/resources/metadataset/curves.csv", "--pace", "0.05", "--id", name));
            }

            Map<String, Simulator.Run> expected = TestEvents.registerRecordedSearches(kafka.bootstrapServers(), TOPICS, "failover-", TASKS);
            int trials = expected.values().stream().mapToInt(r -> r.outcome().trialsRequested()).sum();

            // A fifth of the way in, instance a holds running searches and both workers are answering.
            List<TrialCompleted> early = TopicReader.read(kafka.bootstrapServers(), TOPICS.trialCompleted.name(),
                    TOPICS.trialCompleted.valueSerde().deserializer(), trials / 5, Duration.ofMinutes(3));
            assertThat(early).hasSize(trials / 5);
            List<JsonNode> heldByA = list(services.get(0).url() + "/experiments?forwarded=true&limit=100");
            assertThat(heldByA).as("instance a holds running searches when it is killed")
                    .anySatisfy(e -> assertThat(e.get("phase").asText()).isEqualTo("RUNNING"));
            services.get(0).process().destroyForcibly().waitFor();
            workers.get(0).destroyForcibly().waitFor();
            long killed = System.nanoTime();

            List<ExperimentCompleted> results = TopicReader.read(kafka.bootstrapServers(), TOPICS.experimentCompleted.name(),
                    TOPICS.experimentCompleted.valueSerde().deserializer(), TASKS.size(), Duration.ofMinutes(5));
            System.out.printf("failover: %d trials, %d answered before the kill; %d searches held by the killed instance;"
                            + " all %d searches ended %.1f s after the kill%n", trials, early.size(), heldByA.size(), results.size(),
                    (System.nanoTime() - killed) / 1e9);
            assertThat(results).extracting(ExperimentCompleted::getExperimentId).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (ExperimentCompleted done : results) {
                Simulator.Run run = expected.get(done.getExperimentId());
                assertThat(done.getBestConfigId()).as(done.getExperimentId()).isEqualTo(run.outcome().bestConfigId());
                assertThat(done.getBestTop1()).as(done.getExperimentId()).isEqualTo(run.outcome().bestTop1());
                assertThat(done.getEpochsUsed()).as(done.getExperimentId()).isEqualTo(run.outcome().epochsUsed());
                assertThat(done.getTrialsRequested()).as(done.getExperimentId()).isEqualTo(run.outcome().trialsRequested());
            }

            // Nothing twice on the wire, in what consumers with read_committed see: no request, answer, result or
            // meta-dataset record repeated, though the killed instance and worker each had work in flight.
            List<TrialRequested> requested = TopicReader.all(kafka.bootstrapServers(), TOPICS.trialRequested.name(),
                    TOPICS.trialRequested.valueSerde().deserializer(), Duration.ofSeconds(30));
            assertThat(requested).hasSize(trials);
            assertThat(counts(requested, TrialRequested::getTrialId)).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            List<TrialCompleted> answered = TopicReader.all(kafka.bootstrapServers(), TOPICS.trialCompleted.name(),
                    TOPICS.trialCompleted.valueSerde().deserializer(), Duration.ofSeconds(30));
            assertThat(answered).hasSize(trials);
            assertThat(counts(answered, TrialCompleted::getTrialId)).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            assertThat(answered).extracting(TrialCompleted::getWorker).contains("worker-1", "worker-2");
            assertThat(TopicReader.all(kafka.bootstrapServers(), TOPICS.experimentCompleted.name(),
                    TOPICS.experimentCompleted.valueSerde().deserializer(), Duration.ofSeconds(30))).hasSize(TASKS.size());
            long fullBudget = expected.values().stream().flatMap(r -> r.orders().stream()).filter(o -> o.epochs() == 9).count();
            List<MetaDatasetRecord> records = TopicReader.all(kafka.bootstrapServers(), TOPICS.metaDataset.name(),
                    TOPICS.metaDataset.valueSerde().deserializer(), Duration.ofSeconds(30));
            assertThat(records).hasSize((int) fullBudget);
            assertThat(counts(records, MetaDatasetRecord::getSourceTrialId)).allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));

            // The survivor answers for every search, with no duplicate answers recorded.
            List<JsonNode> all = list(services.get(1).url() + "/experiments?limit=100");
            assertThat(all).hasSize(TASKS.size()).allSatisfy(e -> {
                assertThat(e.get("phase").asText()).isEqualTo("DONE");
                assertThat(e.get("duplicateResults").asInt()).isZero();
            });
        }
    }

    private static <T> Map<String, Long> counts(List<T> items, Function<T, CharSequence> id) {
        return items.stream().collect(Collectors.groupingBy(t -> id.apply(t).toString(), Collectors.counting()));
    }

    private static List<JsonNode> list(String url) throws Exception {
        return StreamSupport.stream(JSON.readTree(PackagedRoles.get(url).body()).spliterator(), false).toList();
    }
}
