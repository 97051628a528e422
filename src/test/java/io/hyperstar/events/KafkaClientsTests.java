package io.hyperstar.events;

import io.hyperstar.testing.LocalKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client settings file every role reads, against a real broker that accepts only TLS with SCRAM credentials. */
class KafkaClientsTests {

    @Test
    void aSecuredClusterAcceptsTheFilesSettingsAndSaysClearlyWhyItRefusesOthers() throws Exception {
        try (LocalKafka kafka = LocalKafka.startSecured()) {
            Map<String, String> good = KafkaClients.read(kafka.clientConfig());
            assertThat(good).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
            KafkaClients.checkCluster(kafka.bootstrapServers(), good, Duration.ofSeconds(20));

            Map<String, String> wrong = new HashMap<>(good);
            String password = good.get("sasl.jaas.config").replaceAll(".*password=\"([^\"]*)\".*", "$1");
            wrong.put("sasl.jaas.config", good.get("sasl.jaas.config").replace(password, "not-the-password"));
            assertThatThrownBy(() -> KafkaClients.checkCluster(kafka.bootstrapServers(), wrong, Duration.ofSeconds(20)))
                    .isInstanceOfSatisfying(KafkaClients.ClusterUnreachable.class, e -> assertThat(e.refused()).isTrue())
                    .hasMessageContaining("refused this client").hasMessageContaining("Authentication failed")
                    .hasMessageContaining("sasl.jaas.config=[hidden]")
                    // Neither password reaches the message, hence the logs.
                    .message().doesNotContain(password).doesNotContain("not-the-password").doesNotContain(good.get("ssl.truststore.password"));

            // Plain text to a TLS listener: the broker never answers a Kafka request, which is a wait, not a refusal.
            assertThatThrownBy(() -> KafkaClients.checkCluster(kafka.bootstrapServers(), Map.of(), Duration.ofSeconds(3)))
                    .isInstanceOfSatisfying(KafkaClients.ClusterUnreachable.class, e -> assertThat(e.refused()).isFalse())
                    .hasMessageContaining("no answer from the Kafka cluster at " + kafka.bootstrapServers())
                    .hasMessageContaining("TLS or SASL").hasMessageContaining("HYPERSTAR_KAFKA_CONFIG names none");
        }
    }

    @Test
    void awaitClusterGivesUpAtOnceOnlyWhenRefused() throws Exception {
        // A port that accepts connections and never speaks Kafka: awaitCluster would keep waiting, so only the single
        // check is exercised here; the refusal that ends the wait is above.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + silent.getLocalPort();
            assertThatThrownBy(() -> KafkaClients.checkCluster(address, Map.of("security.protocol", "SSL"), Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(KafkaClients.ClusterUnreachable.class, e -> assertThat(e.refused()).isFalse())
                    .hasMessageContaining("in 2 s").hasMessageContaining("security.protocol=SSL");
        }
    }

    @Test
    void theFileSaysHowToConnectAndCannotMoveTheClusterOrTheRolesOwnSettings(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("kafka-client.properties");
        Files.writeString(file, """
                # a comment
                security.protocol = SASL_SSL
                sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";
                ssl.keystore.key=-----BEGIN PRIVATE KEY-----
                session.timeout.ms=10000
                """);
        Map<String, String> settings = KafkaClients.read(file);
        assertThat(settings).containsEntry("security.protocol", "SASL_SSL").containsEntry("session.timeout.ms", "10000").hasSize(4);
        assertThat(KafkaClients.describe(settings)).isEqualTo("sasl.jaas.config=[hidden], security.protocol=SASL_SSL, "
                + "session.timeout.ms=10000, ssl.keystore.key=[hidden]");
        // The address comes from the role (KAFKA_BOOTSTRAP_SERVERS or --bootstrap), the file adds to it.
        assertThat(KafkaClients.connection("broker:9093", settings)).containsEntry("bootstrap.servers", "broker:9093")
                .containsEntry("security.protocol", "SASL_SSL");

        Files.writeString(file, "bootstrap.servers=elsewhere:9092\n");
        assertThatThrownBy(() -> KafkaClients.read(file)).hasMessageContaining("set bootstrap.servers")
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
        assertThatThrownBy(() -> KafkaClients.read(dir.resolve("missing.properties")))
                .hasMessageContaining("cannot read the Kafka client settings").hasMessageContaining("HYPERSTAR_KAFKA_CONFIG");
    }
}
