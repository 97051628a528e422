package io.hyperstar.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Files;
import java.util.Map;

/** Starts a real broker for a {@code @QuarkusTest} and points the service at it. */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    private LocalKafka kafka;

    @Override
    public Map<String, String> start() {
        kafka = LocalKafka.start();
        try {
            return Map.of(
                    "kafka.bootstrap.servers", kafka.bootstrapServers(),
                    "kafka-streams.state.dir", Files.createTempDirectory("hyperstar-streams-").toString(),
                    "hyperstar.topics.partitions", "2");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }
}
