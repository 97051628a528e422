package io.hyperstar.worker;

import io.hyperstar.events.Topics;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Entry point of the reference worker, a process of its own like any trainer fleet member:
 * {@code java -cp <service classpath> io.hyperstar.worker.WorkerMain --mode replay --curves curves.csv} for exact,
 * instant simulations ({@code --pace 0.1}: each answer after a tenth of its recorded training time), or {@code --mode train --data-roots data} to fine-tune for real with DJL.
 */
public final class WorkerMain {

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = io.hyperstar.events.KafkaClients.defaultBootstrap();
        String mode = "replay";
        Path curves = Path.of("src/main/resources/metadataset/curves.csv");
        String id = io.hyperstar.events.TransactionalLoop.defaultInstanceId("worker");
        String dataRoots = "data";
        Path checkpoints = Path.of("target/checkpoints");
        int maxEpochs = 100;
        String metrics = null;
        double pace = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--mode" -> mode = args[++i];
                case "--curves" -> curves = Path.of(args[++i]);
                case "--id" -> id = args[++i];
                case "--data-roots" -> dataRoots = args[++i];
                case "--checkpoints" -> checkpoints = Path.of(args[++i]);
                case "--max-epochs" -> maxEpochs = Integer.parseInt(args[++i]);
                case "--metrics" -> metrics = args[++i];
                case "--pace" -> pace = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --bootstrap host:port --mode replay|train --curves file --data-roots dir,dir"
                        + " --checkpoints dir --max-epochs n --id name --metrics host:port --pace seconds-per-recorded-second)");
            }
        }
        io.hyperstar.events.KafkaClients.awaitCluster(bootstrap, Duration.ofSeconds(30), "worker");
        TrialRunner runner = switch (mode) {
            case "replay" -> ReplayRunner.load(curves).paced(pace);
            case "train" -> new TrainRunner(new io.hyperstar.train.Trainer(), io.hyperstar.space.ConfigSpace.bundled(),
                    java.util.Arrays.stream(dataRoots.split(",")).map(Path::of).toList(), checkpoints, maxEpochs);
            default -> throw new IllegalArgumentException("unknown mode " + mode + " (replay or train)");
        };
        // Prometheus metrics at host:port/metrics when asked (k8s/worker.yaml asks for 0.0.0.0:9464).
        try (io.hyperstar.ops.MetricsServer server = io.hyperstar.ops.MetricsServer.fromOption(metrics, "worker")) {
            TrialWorker worker = new TrialWorker(bootstrap, Topics.defaults(), runner, id, "hyperstar-workers",
                    Duration.ofHours(2), server == null ? null : server.registry());
            Runtime.getRuntime().addShutdownHook(new Thread(worker::close));
            worker.run();
        }
    }
}
