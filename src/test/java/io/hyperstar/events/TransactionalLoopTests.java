package io.hyperstar.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Instance ids, the suffix of a role's transactional id: replicas in containers (all pid 1) must not share one. */
class TransactionalLoopTests {

    @Test
    void replicasInContainersGetTheirHostNamesNotTheSamePid() {
        String a = TransactionalLoop.defaultInstanceId("worker", Map.of("HOSTNAME", "hyperstar-worker-7d9f-abcde"), 1);
        String b = TransactionalLoop.defaultInstanceId("worker", Map.of("HOSTNAME", "hyperstar-worker-7d9f-fghij"), 1);
        assertThat(a).isEqualTo("hyperstar-worker-7d9f-abcde-1").isNotEqualTo(b);
    }

    @Test
    void twoProcessesOnOneHostDiffer() {
        assertThat(TransactionalLoop.defaultInstanceId("worker", Map.of("HOSTNAME", "box"), 100))
                .isNotEqualTo(TransactionalLoop.defaultInstanceId("worker", Map.of("HOSTNAME", "box"), 101));
    }

    @Test
    void withoutAHostNameTheRoleAndPidAreUsed() {
        assertThat(TransactionalLoop.defaultInstanceId("recommender", Map.of(), 4242)).isEqualTo("recommender-4242");
        assertThat(TransactionalLoop.defaultInstanceId("recommender", Map.of("HOSTNAME", " "), 4242))
                .isEqualTo("recommender-4242");
    }
}
