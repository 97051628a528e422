package io.hyperstar.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The packaged roles as processes of an integration test, run the way the image runs them: the service from
 * {@code target/quarkus-app/quarkus-run.jar} (built by {@code mvn package} before failsafe), the command-line roles on
 * its classpath with their logging. Each writes its log to the test's folder ({@code target/it-<name>/<n>/<role>.log});
 * {@link #close()} stops them all, with SIGTERM and then, after 20 s, SIGKILL.
 */
public final class PackagedRoles implements AutoCloseable {

    public static final Path APP = Path.of("target/quarkus-app");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    public PackagedRoles(String name) throws IOException {
        if (!Files.exists(APP.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(APP.resolve("quarkus-run.jar") + " is missing: run mvn package before the integration tests");
        }
        dir = Files.createDirectories(Path.of("target/it-" + name + "/" + System.nanoTime()));
    }

    /** Where the logs and the roles' files go. */
    public Path dir() {
        return dir;
    }

    /** A started service instance and the address of its API. */
    public record Service(Process process, String url) {

        /** Waits until its readiness check says UP (Kafka Streams running, topics present). */
        public Service awaitReady() {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> get(url + "/q/health/ready").statusCode() == 200);
            return this;
        }
    }

    /**
     * Starts a service instance on a free loopback port, its state in the test's folder, advertising its own address to
     * the other instances; {@code properties} ({@code -Dkey=value}) come after those and win.
     */
    public Service service(String name, String bootstrap, Map<String, String> env, String... properties) throws IOException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of("java", "-Dai.djl.offline=true", "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.http.port=" + port, "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dkafka-streams.state.dir=" + dir.resolve("state-" + name)));
        cmd.addAll(List.of(properties));
        cmd.addAll(List.of("-jar", APP.resolve("quarkus-run.jar").toString()));
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("HYPERSTAR_ADVERTISED_ADDRESS", "127.0.0.1:" + port);
        return new Service(run(name, all, cmd), "http://127.0.0.1:" + port);
    }

    /** Starts a command-line role (worker, recommender, a client) as the image's entrypoint runs it. */
    public Process cli(String name, Map<String, String> env, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("java", "-Xmx512m", "-Dai.djl.offline=true", "-Dorg.jboss.logging.provider=jdk",
                "-Djava.util.logging.config.file=src/main/jul/cli-logging.properties", "-Djava.awt.headless=true",
                "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1", "-cp",
                String.join(File.pathSeparator, APP.resolve("app/*").toString(), APP.resolve("lib/main/*").toString(),
                        APP.resolve("lib/boot/*").toString()), mainClass));
        cmd.addAll(List.of(args));
        return run(name, env, cmd);
    }

    /** Starts any command, its output in {@code <name>.log}; the environment gets OPT_OUT_TRACKING and {@code env}. */
    public Process run(String name, Map<String, String> env, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(name).toFile());
        pb.environment().put("OPT_OUT_TRACKING", "true");
        // Only what the test gives: an address or settings file from the test's own environment must not leak in.
        pb.environment().remove("KAFKA_BOOTSTRAP_SERVERS");
        pb.environment().remove("HYPERSTAR_KAFKA_CONFIG");
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** Waits for a started command to end (at most {@code limit}) and returns its exit status; its output is in {@link #log}. */
    public int exitOf(String name, Process started, Duration limit) throws InterruptedException {
        if (!started.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            started.destroyForcibly();
            throw new IllegalStateException(name + " did not end within " + limit + "; see " + log(name));
        }
        return started.exitValue();
    }

    /** The log of a role or command started under this name. */
    public Path log(String name) {
        return dir.resolve(name + ".log");
    }

    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
