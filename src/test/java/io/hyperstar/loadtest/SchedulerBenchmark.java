package io.hyperstar.loadtest;

import io.hyperstar.events.TopicCreator;
import io.hyperstar.events.Topics;
import io.hyperstar.schedule.SchedulerTopology;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.LocalKafka;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Load test of the scheduler (not a unit test): on one local broker, with exactly-once on, it drives the real
 * scheduler topology with many concurrent experiments and an instant worker, then measures a pass-through
 * Kafka Streams topology fed the same way, and writes both side by side to {@code results.md} and
 * {@code results.csv}. Run it with {@code load-tests/scheduler/run.sh}; see {@code load-tests/README.md}.
 */
public final class SchedulerBenchmark {

    /** The ratio the issue asks for: the scheduler handles at least half the pass-through's rate. */
    static final double TARGET_RATIO = 0.5;

    /**
     * The scheduler logs two INFO lines per experiment; at this rate they would measure the console, not the
     * scheduler. Held in a field because JUL keeps loggers weakly.
     */
    private static final Logger SERVICE_LOG = Logger.getLogger("io.hyperstar");

    record Options(int experiments, int partitions, int maxEpochs, int eta, int warmupExperiments, long timeoutSeconds,
                   Path out, String command) {

        static Options parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>(Map.of("experiments", "1000", "partitions", "6", "max-epochs", "9",
                    "eta", "3", "warmup-experiments", "100", "timeout-s", "300", "out", "load-tests/scheduler"));
            for (int i = 0; i < args.length; i++) {
                String key = args[i].startsWith("--") ? args[i].substring(2) : null;
                if (key == null || !a.containsKey(key) || i + 1 >= args.length) {
                    throw new IllegalArgumentException("usage: [--experiments N] [--partitions N] [--max-epochs R] [--eta N]"
                            + " [--warmup-experiments N] [--timeout-s S] [--out DIR]; got " + String.join(" ", args));
                }
                a.put(key, args[++i]);
            }
            String command = System.getProperty("hyperstar.bench.command", "load-tests/scheduler/run.sh " + String.join(" ", args));
            return new Options(Integer.parseInt(a.get("experiments")), Integer.parseInt(a.get("partitions")),
                    Integer.parseInt(a.get("max-epochs")), Integer.parseInt(a.get("eta")),
                    Integer.parseInt(a.get("warmup-experiments")), Long.parseLong(a.get("timeout-s")), Path.of(a.get("out")),
                    command.strip());
        }
    }

    private SchedulerBenchmark() {
    }

    public static void main(String[] args) {
        SERVICE_LOG.setLevel(Level.WARNING);
        int status;
        try {
            run(Options.parse(args));
            status = 0;
        } catch (RunClock.Aborted e) {
            System.err.println(e.getMessage());
            status = 2;
        } catch (Exception e) {
            System.err.println("the load test failed: " + e);
            e.printStackTrace();
            status = 1;
        }
        // Kafka client threads must not keep the JVM (or Maven's exec:java) waiting.
        System.exit(status);
    }

    static void run(Options o) throws Exception {
        RunClock clock = new RunClock(o.timeoutSeconds());
        ConfigSpace space = ConfigSpace.bundled();
        Workload load = Workload.hyperband(o.experiments(), o.maxEpochs(), o.eta(), space.size());
        Workload warmup = Workload.hyperband(o.warmupExperiments(), o.maxEpochs(), o.eta(), space.size());
        System.out.printf(Locale.ROOT, "Load: %,d experiments x %d trials = %,d trial-completed events per topology; %d partitions;"
                        + " warm-up %,d experiments each; limit %d s%n", load.experiments(), load.trialsPerExperiment(),
                load.totalEvents(), o.partitions(), warmup.experiments(), o.timeoutSeconds());
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        long t0 = System.nanoTime();
        PhaseResult passThrough;
        PhaseResult scheduler;
        try (LocalKafka kafka = LocalKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            CpuMeter cpu = CpuMeter.forBroker(bootstrap);
            Topics warmupTopics = schedulerTopics("warmup-");
            Topics benchTopics = schedulerTopics("bench-");
            TopicCreator.create(bootstrap, warmupTopics, o.partitions(), (short) 1);
            TopicCreator.create(bootstrap, benchTopics, o.partitions(), (short) 1);
            // Warm-up first (JIT, broker, client metadata) so neither measured phase pays for starting cold.
            if (warmup.experiments() > 0) {
                PassThroughLoad.run(bootstrap, "warmup-pass-through", o.partitions(), benchTopics, warmup, clock, cpu);
                SchedulerLoad.run(bootstrap, "warmup-scheduler", warmupTopics, space, warmup, clock, cpu);
                System.out.println("warm-up done");
            }
            passThrough = PassThroughLoad.run(bootstrap, "bench-pass-through", o.partitions(), benchTopics, load, clock, cpu);
            print(passThrough);
            scheduler = SchedulerLoad.run(bootstrap, "bench-scheduler", benchTopics, space, load, clock, cpu);
            print(scheduler);
        }
        double ratio = scheduler.eventsPerSecond() / passThrough.eventsPerSecond();
        System.out.printf(Locale.ROOT, "scheduler / pass-through rate = %.2f (target >= %.2f: %s); whole run %.0f s%n", ratio,
                TARGET_RATIO, ratio >= TARGET_RATIO ? "met" : "NOT met", (System.nanoTime() - t0) / 1e9);
        write(o, load, started, List.of(passThrough, scheduler), ratio);
    }

    private static Topics schedulerTopics(String prefix) {
        Topics.Names d = Topics.Names.defaults();
        return new Topics(new Topics.Names(prefix + d.datasetRegistered(), prefix + d.rankingComputed(), prefix + d.trialRequested(),
                prefix + d.trialCompleted(), prefix + d.experimentCompleted(), prefix + d.metaDataset(), prefix + d.modelPublished(),
                prefix + d.deadLetter()));
    }

    private static void print(PhaseResult r) {
        Latencies l = r.latencies();
        System.out.printf(Locale.ROOT, "%s: %,d events in %.1f s = %,.0f events/s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d samples)%n",
                r.topology(), r.events(), r.seconds(), r.eventsPerSecond(), l.percentileMs(50), l.percentileMs(99), l.maxMs(), l.count());
        r.diagnostics().forEach((k, v) -> System.out.println("    " + k + ": " + v));
    }

    private static void write(Options o, Workload load, String started, List<PhaseResult> results, double ratio) throws IOException {
        Files.createDirectories(o.out());
        String machine = machine();
        Properties streams = SchedulerTopology.streamsConfig("-", "-", "-");
        String waves = load.waves().stream().map(w -> String.valueOf(w.n())).collect(Collectors.joining(", "));

        StringBuilder md = new StringBuilder();
        md.append("# Scheduler load test: results\n\n");
        md.append("Written by `io.hyperstar.loadtest.SchedulerBenchmark`; see `load-tests/README.md`.\n\n");
        md.append("- **Run:** ").append(started).append("\n");
        md.append("- **Machine:** ").append(machine).append("\n");
        md.append("- **Command:** `").append(o.command()).append("`\n");
        md.append(String.format(Locale.ROOT, "- **Load:** %,d concurrent experiments, vanilla HYPERBAND R=%d, eta=%d: %d trials each in %d waves (%s),"
                        + " so %,d trial-completed events per topology; all experiments registered up front; instant worker"
                        + " (read_committed consumer, producer linger.ms=1); scheduler INFO logging off. Warm-up of %,d experiments per topology beforehand, not counted.\n",
                load.experiments(), load.maxEpochs(), load.eta(), load.trialsPerExperiment(), load.waves().size(), waves,
                load.totalEvents(), o.warmupExperiments()));
        md.append(String.format(Locale.ROOT, "- **Kafka:** one local broker (Kafka 4.1.2, KRaft, `src/local-kafka/kafka.sh`), %d partitions per topic,"
                        + " replication 1. Both topologies use `SchedulerTopology.streamsConfig`: %s=%s, %s=%s, %s=%s, producer %s=%s, one stream thread.\n\n",
                o.partitions(), StreamsConfig.PROCESSING_GUARANTEE_CONFIG, streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, streams.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG),
                StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, streams.get(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG),
                ProducerConfig.LINGER_MS_CONFIG, streams.get(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG))));
        md.append("| topology | events | seconds | events/s | p50 ms | p99 ms | max ms | latency samples |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        StringBuilder csv = new StringBuilder("date,machine,topology,events,seconds,events_per_s,p50_ms,p99_ms,max_ms,latency_samples\n");
        for (PhaseResult r : results) {
            Latencies l = r.latencies();
            md.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %,.0f | %.1f | %.1f | %.1f | %,d |\n", r.topology(), r.events(),
                    r.seconds(), r.eventsPerSecond(), l.percentileMs(50), l.percentileMs(99), l.maxMs(), l.count()));
            csv.append(String.format(Locale.ROOT, "%s,\"%s\",\"%s\",%d,%.2f,%.1f,%.2f,%.2f,%.2f,%d\n", started, machine.replace("\"", "'"),
                    r.topology(), r.events(), r.seconds(), r.eventsPerSecond(), l.percentileMs(50), l.percentileMs(99), l.maxMs(), l.count()));
        }
        md.append(String.format(Locale.ROOT, "\n**Scheduler / pass-through rate: %.2f** (target at least %.2f: %s).\n\n", ratio, TARGET_RATIO,
                ratio >= TARGET_RATIO ? "met" : "**not met**"));
        md.append("Events/s: trial-completed events divided by the time from the first one produced to the moment the output of the"
                + " last one was consumed (pass-through: its copy; scheduler: the last experiment-completed).\n\n");
        md.append("Latency pairs:\n\n");
        for (PhaseResult r : results) {
            md.append("- ").append(r.topology()).append(": ").append(r.latencyPairs()).append(".\n");
        }
        md.append("\nKafka Streams figures at the end of each measured phase (for explaining the rates):\n\n");
        Set<String> keys = new LinkedHashSet<>();
        results.forEach(r -> keys.addAll(r.diagnostics().keySet()));
        md.append("| figure |");
        results.forEach(r -> md.append(" ").append(r.topology()).append(" |"));
        md.append("\n|---|").append("---:|".repeat(results.size())).append("\n");
        for (String k : keys) {
            md.append("| ").append(k).append(" |");
            results.forEach(r -> md.append(" ").append(r.diagnostics().getOrDefault(k, "")).append(" |"));
            md.append("\n");
        }
        Files.writeString(o.out().resolve("results.md"), md.toString(), StandardCharsets.UTF_8);
        Files.writeString(o.out().resolve("results.csv"), csv.toString(), StandardCharsets.UTF_8);
        System.out.println("wrote " + o.out().resolve("results.md") + " and results.csv");
    }

    private static String machine() {
        String cpu = "unknown CPU";
        String ram = "";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(cpu);
            ram = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> String.format(Locale.ROOT, ", %.0f GiB RAM", Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0))
                    .orElse("");
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the core count and Java version still say something
        }
        return String.format(Locale.ROOT, "%s, %d cores%s, Java %s, %s %s", cpu, Runtime.getRuntime().availableProcessors(), ram,
                System.getProperty("java.version"), System.getProperty("os.name"), System.getProperty("os.version"));
    }
}
