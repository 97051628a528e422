package io.hyperstar.ops;

import io.hyperstar.events.Topics;
import io.hyperstar.schedule.SchedulerSettings;
import io.hyperstar.schedule.SchedulerTopology;
import io.hyperstar.space.ConfigSpace;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The ACL sets, checked against the code they must follow; that they suffice on a real authorizer is SecuredClusterIT's
 * part.
 */
class AclsTests {

    private static final Topics TOPICS = Topics.defaults();

    @Test
    void theServiceMayReadEveryTopicTheSchedulerConsumesAndWriteEveryTopicItProducesTo() {
        TopologyDescription d = SchedulerTopology.build(TOPICS, new SchedulerSettings(2, Duration.ofMinutes(10),
                Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofHours(1)), ConfigSpace.bundled(), new SimpleMeterRegistry()).describe();
        Set<String> sources = d.subtopologies().stream().flatMap(s -> s.nodes().stream())
                .filter(n -> n instanceof TopologyDescription.Source).flatMap(n -> ((TopologyDescription.Source) n).topicSet().stream())
                .collect(Collectors.toSet());
        Set<String> sinks = d.subtopologies().stream().flatMap(s -> s.nodes().stream())
                .filter(n -> n instanceof TopologyDescription.Sink).map(n -> ((TopologyDescription.Sink) n).topic())
                .collect(Collectors.toSet());
        List<AclBinding> service = Acls.forRole(Acls.Role.SERVICE, "User:svc", TOPICS, "hyperstar-scheduler");
        assertThat(sources).isNotEmpty().allSatisfy(t -> assertThat(topics(service, AclOperation.READ)).contains(t));
        assertThat(sinks).isNotEmpty().allSatisfy(t -> assertThat(topics(service, AclOperation.WRITE)).contains(t));
        // Kafka Streams' own topics, group and transactions, under its application id, and no more.
        assertThat(service).filteredOn(b -> b.pattern().patternType() == PatternType.PREFIXED)
                .extracting(b -> b.pattern().resourceType() + " " + b.pattern().name() + " " + b.entry().operation())
                .containsExactlyInAnyOrder("TOPIC hyperstar-scheduler- ALL", "TRANSACTIONAL_ID hyperstar-scheduler- WRITE");
    }

    @Test
    void eachRoleGetsOnlyItsOwnGroupAndTransactionsAndAnOperatorCanSendBackToEveryInputTopic() {
        assertThat(names(Acls.forRole(Acls.Role.WORKER, "User:w", TOPICS, "x"), ResourceType.GROUP)).containsExactly("hyperstar-workers");
        assertThat(names(Acls.forRole(Acls.Role.RECOMMENDER, "User:r", TOPICS, "x"), ResourceType.TRANSACTIONAL_ID))
                .containsExactly("hyperstar-recommender-");
        assertThat(Acls.forRole(Acls.Role.PLATFORM, "User:p", TOPICS, "x")).noneMatch(b -> b.entry().operation() == AclOperation.ALL)
                .noneMatch(b -> b.pattern().resourceType() == ResourceType.TRANSACTIONAL_ID);
        // Redrive sends a dead letter back to the topic it came from: whatever any role reads, except the dead letters.
        Set<String> read = Set.of(Acls.Role.values()).stream().filter(r -> r != Acls.Role.OPERATOR)
                .flatMap(r -> topics(Acls.forRole(r, "User:x", TOPICS, "hyperstar-scheduler"), AclOperation.READ).stream())
                .filter(t -> !t.equals(TOPICS.deadLetter.name())).collect(Collectors.toSet());
        assertThat(topics(Acls.forRole(Acls.Role.OPERATOR, "User:o", TOPICS, "x"), AclOperation.WRITE)).containsAll(read)
                .doesNotContain(TOPICS.deadLetter.name());
        assertThat(Acls.table(Acls.forRole(Acls.Role.META_LEARNER, "User:m", TOPICS, "x")))
                .contains("| User:m | TOPIC | hyperstar-meta-dataset | LITERAL | READ |");
        assertThatThrownBy(() -> Acls.forRole(Acls.Role.WORKER, "worker", TOPICS, "x")).hasMessageContaining("TYPE:NAME");
    }

    private static Set<String> topics(List<AclBinding> bindings, AclOperation op) {
        return bindings.stream().filter(b -> b.pattern().resourceType() == ResourceType.TOPIC && b.entry().operation() == op)
                .map(b -> b.pattern().name()).collect(Collectors.toSet());
    }

    private static List<String> names(List<AclBinding> bindings, ResourceType type) {
        return bindings.stream().filter(b -> b.pattern().resourceType() == type).map(b -> b.pattern().name()).toList();
    }
}
