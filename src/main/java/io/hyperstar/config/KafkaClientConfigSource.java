package io.hyperstar.config;

import io.hyperstar.events.KafkaClients;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Gives the service's Kafka Streams the connection settings of the client configuration file that every role reads
 * ({@link KafkaClients}, named by {@code HYPERSTAR_KAFKA_CONFIG}), as {@code kafka-streams.<setting>}, so a secured
 * cluster needs one file for all roles. Its ordinal is below application.properties': the file says how to connect,
 * and cannot undo what the service sets there (exactly-once, commit interval, cache).
 */
public final class KafkaClientConfigSource implements ConfigSource {

    private static final String PREFIX = "kafka-streams.";
    private final Map<String, String> properties;

    public KafkaClientConfigSource() {
        Map<String, String> p = new HashMap<>();
        // Read here rather than through KafkaClients.fileSettings(), which logs: logging is not set up yet.
        KafkaClients.namedFile().map(KafkaClients::read).orElse(Map.of()).forEach((k, v) -> p.put(PREFIX + k, v));
        properties = Map.copyOf(p);
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String name) {
        return properties.get(name);
    }

    @Override
    public String getName() {
        return "hyperstar-kafka-client-settings";
    }

    @Override
    public int getOrdinal() {
        return 200;
    }
}
