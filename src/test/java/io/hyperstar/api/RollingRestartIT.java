package io.hyperstar.api;

import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.hyperband.Simulator;
import io.hyperstar.testing.KafkaBroker;
import io.hyperstar.testing.PackagedRoles;
import io.hyperstar.testing.TestEvents;
import io.hyperstar.testing.TopicReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling update or a scale-down stops a scheduler pod with SIGTERM. The stopped instance must hand its searches over
 * at once: it leaves the scheduler's consumer group as it stops, so the other instance takes its partitions over
 * without waiting for the stopped one's session to expire (45 s by default, during which its searches would stand
 * still), and every search still ends as an uninterrupted one does, with nothing requested twice. Run by failsafe after
 * the package phase.
 */
class RollingRestartIT {

    private static final Topics TOPICS = Topics.defaults();
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withTopics(TOPICS, 6);
    private static final List<String> TASKS = List.of("fashion-10", "mnist-10", "greek-lower-24", "shapes-8", "symbols-20-invert", "mnist-5-rot");

    @Test
    void aStoppedInstanceLeavesTheGroupAtOnceAndItsSearchesGoOnElsewhere() throws Exception {
        try (PackagedRoles roles = new PackagedRoles("rolling")) {
            List<PackagedRoles.Service> services = new ArrayList<>();
            for (String name : List.of("service-a", "service-b")) {
                services.add(roles.service(name, kafka.bootstrapServers(), Map.of(), "-Xmx512m", "-Dhyperstar.topics.create=false",
                        "-Dhyperstar.topics.partitions=6"));
            }
            services.forEach(PackagedRoles.Service::awaitReady);
            roles.cli("worker", Map.of(), "io.hyperstar.worker.WorkerMain", "--bootstrap", kafka.bootstrapServers(),
                    "--mode", "replay", "--curves", "src/main/resources/metadataset/curves.csv", "--pace", "0.05", "--id", "worker");

            Map<String, Simulator.Run> expected = TestEvents.registerRecordedSearches(kafka.bootstrapServers(), TOPICS, "rolling-", TASKS);
            int trials = expected.values().stream().mapToInt(r -> r.outcome().trialsRequested()).sum();
            assertThat(TopicReader.read(kafka.bootstrapServers(), TOPICS.trialCompleted.name(),
                    TOPICS.trialCompleted.valueSerde().deserializer(), trials / 5, Duration.ofMinutes(3))).hasSize(trials / 5);

            Process a = services.get(0).process();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                assertThat(members(admin)).as("both instances in the scheduler's group").isEqualTo(2);
                long stopping = System.nanoTime();
                a.destroy();
                assertThat(a.waitFor(60, TimeUnit.SECONDS)).as("instance a stops on SIGTERM").isTrue();
                System.out.printf("rolling: instance a stopped in %.1f s (exit %d)%n", (System.nanoTime() - stopping) / 1e9, a.exitValue());
                // Well inside the 45 s session a member that did not leave would keep: only b is left.
                assertThat(members(admin)).as("instance a left the group as it stopped").isEqualTo(1);
            }
            long stopped = System.nanoTime();
            List<ExperimentCompleted> results = TopicReader.read(kafka.bootstrapServers(), TOPICS.experimentCompleted.name(),
                    TOPICS.experimentCompleted.valueSerde().deserializer(), TASKS.size(), Duration.ofMinutes(3));
            System.out.printf("rolling: all %d searches ended %.1f s after instance a stopped%n", results.size(), (System.nanoTime() - stopped) / 1e9);
            assertThat(results).extracting(ExperimentCompleted::getExperimentId).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (ExperimentCompleted done : results) {
                Simulator.Run run = expected.get(done.getExperimentId());
                assertThat(done.getBestConfigId()).as(done.getExperimentId()).isEqualTo(run.outcome().bestConfigId());
                assertThat(done.getEpochsUsed()).as(done.getExperimentId()).isEqualTo(run.outcome().epochsUsed());
                assertThat(done.getTrialsRequested()).as(done.getExperimentId()).isEqualTo(run.outcome().trialsRequested());
            }
            List<TrialRequested> requested = TopicReader.all(kafka.bootstrapServers(), TOPICS.trialRequested.name(),
                    TOPICS.trialRequested.valueSerde().deserializer(), Duration.ofSeconds(30));
            assertThat(requested).hasSize(trials);
            assertThat(requested.stream().collect(Collectors.groupingBy(r -> r.getTrialId().toString(), Collectors.counting())))
                    .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            assertThat(TopicReader.all(kafka.bootstrapServers(), TOPICS.trialCompleted.name(),
                    TOPICS.trialCompleted.valueSerde().deserializer(), Duration.ofSeconds(30))).extracting(TrialCompleted::getTrialId)
                    .doesNotHaveDuplicates().hasSize(trials);
        }
    }

    private static int members(Admin admin) throws Exception {
        var group = admin.describeConsumerGroups(List.of("hyperstar-scheduler")).all().get(30, TimeUnit.SECONDS).get("hyperstar-scheduler");
        System.out.println("rolling: group " + group.groupState() + " members " + group.members().stream().map(m -> m.clientId()).toList());
        return group.members().size();
    }
}
