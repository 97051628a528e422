package io.hyperstar.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker for tests, started and stopped with the same script users run
 * ({@code src/local-kafka/kafka.sh}), on free loopback ports and a private data folder.
 */
public final class LocalKafka implements AutoCloseable {

    private final Path dir;
    private final int port;

    private LocalKafka(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    public static LocalKafka start() {
        return start(false, false);
    }

    /**
     * A broker that accepts only TLS connections authenticated with SCRAM-SHA-512, as most production clusters do
     * ({@code kafka.sh start --sasl-ssl}); {@link #clientConfig()} is the settings file a HyperSTAR role needs for it.
     */
    public static LocalKafka startSecured() {
        return start(true, false);
    }

    /**
     * A secured broker that also authorizes every request and denies what no ACL allows ({@code --acl}); each role has a
     * user of its own ({@link #clientConfig(String)}), and {@code admin} may grant ACLs.
     */
    public static LocalKafka startSecuredWithAcls() {
        return start(true, true);
    }

    private static LocalKafka start(boolean secured, boolean acl) {
        try {
            Path dir = Files.createTempDirectory("hyperstar-kafka-");
            int port = freePort();
            int controllerPort = freePort();
            List<String> args = new ArrayList<>(List.of("start", "--port", String.valueOf(port), "--controller-port",
                    String.valueOf(controllerPort), "--dir", dir.toString()));
            if (secured) {
                args.add("--sasl-ssl");
            }
            if (acl) {
                args.add("--acl");
            }
            run(args.toArray(String[]::new));
            return new LocalKafka(dir, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Kafka", e);
        }
    }

    /** The client settings file of a secured broker (HYPERSTAR_KAFKA_CONFIG), with the user's fresh password. */
    public Path clientConfig() {
        return settings(dir.resolve("client.properties"));
    }

    /** The settings file of one user of a secured broker: admin, service, worker, recommender, meta-learner, platform, operator. */
    public Path clientConfig(String user) {
        return settings(dir.resolve("client-" + user + ".properties"));
    }

    /** The same user's settings for librdkafka clients (Python's confluent-kafka): a PEM certificate, not a truststore. */
    public Path librdkafkaConfig(String user) {
        return settings(dir.resolve("client-" + user + ".librdkafka.properties"));
    }

    private static Path settings(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalStateException("this broker is not secured: it has no client settings");
        }
        return file;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() {
        run("stop", "--dir", dir.toString());
    }

    private static void run(String... args) {
        Path script = Path.of(System.getProperty("user.dir"), "src", "local-kafka", "kafka.sh");
        String[] cmd = new String[args.length + 1];
        cmd[0] = script.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("kafka.sh " + args[0] + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
