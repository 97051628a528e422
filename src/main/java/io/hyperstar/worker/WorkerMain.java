package io.hyperstar.worker;

import io.hyperstar.events.Topics;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Entry point of the reference worker, a process of its own like any trainer fleet member:
 * {@code java -cp <service classpath> io.hyperstar.worker.WorkerMain --mode replay --curves curves.csv}.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
        String mode = "replay";
        Path curves = Path.of("src/main/resources/metadataset/curves.csv");
        String id = "worker-" + ProcessHandle.current().pid();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--mode" -> mode = args[++i];
                case "--curves" -> curves = Path.of(args[++i]);
                case "--id" -> id = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --bootstrap host:port --mode replay --curves file --id name)");
            }
        }
        TrialRunner runner = switch (mode) {
            case "replay" -> ReplayRunner.load(curves);
            default -> throw new IllegalArgumentException("unknown mode " + mode + " (this build supports: replay)");
        };
        TrialWorker worker = new TrialWorker(bootstrap, Topics.defaults(), runner, id, "hyperstar-workers", Duration.ofHours(2));
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close));
        worker.run();
    }
}
