package io.hyperstar.loadtest;

import io.hyperstar.events.TopicCreator;
import io.hyperstar.events.Topics;
import io.hyperstar.schedule.SchedulerTopology;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.LocalKafka;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.jboss.logmanager.handlers.ConsoleHandler;
import org.apache.kafka.streams.StreamsConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Handler;
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


    record Options(int experiments, int partitions, int maxEpochs, int eta, int warmupExperiments, int rounds,
                   long timeoutSeconds, Path out, String command, boolean saslSsl) {

        static Options parse(String[] args) {
            Map<String, String> a = new LinkedHashMap<>(Map.of("experiments", "1000", "partitions", "6", "max-epochs", "9",
                    "eta", "3", "warmup-experiments", "same as --experiments", "rounds", "3", "timeout-s", "300", "out", "load-tests/scheduler",
                    "security", "plaintext"));
            for (int i = 0; i < args.length; i++) {
                String key = args[i].startsWith("--") ? args[i].substring(2) : null;
                if (key == null || !a.containsKey(key) || i + 1 >= args.length) {
                    throw new IllegalArgumentException("usage: [--experiments N] [--partitions N] [--max-epochs R] [--eta N]"
                            + " [--warmup-experiments N] [--rounds N] [--timeout-s S] [--out DIR] [--security plaintext|sasl-ssl]; got "
                            + String.join(" ", args));
                }
                a.put(key, args[++i]);
            }
            String command = System.getProperty("hyperstar.bench.command", "load-tests/scheduler/run.sh " + String.join(" ", args));
            return new Options(Integer.parseInt(a.get("experiments")), Integer.parseInt(a.get("partitions")),
                    Integer.parseInt(a.get("max-epochs")), Integer.parseInt(a.get("eta")),
                    a.get("warmup-experiments").startsWith("same") ? Integer.parseInt(a.get("experiments"))
                            : Integer.parseInt(a.get("warmup-experiments")), Integer.parseInt(a.get("rounds")), Long.parseLong(a.get("timeout-s")),
                    Path.of(a.get("out")),
                    command.strip(), switch (a.get("security")) {
                        case "plaintext" -> false;
                        case "sasl-ssl" -> true;
                        default -> throw new IllegalArgumentException("--security is plaintext or sasl-ssl, not " + a.get("security"));
                    });
        }
    }

    private SchedulerBenchmark() {
    }

    public static void main(String[] args) {
        quietLogging();
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

    /**
     * Warnings and errors only, on stderr. Without a level, JBoss LogManager (the service's logging) passes TRACE, so
     * Kafka's clients would format every trace message, and the scheduler's two INFO lines per experiment would time
     * the console rather than the scheduler. Needs {@code -Djava.util.logging.manager=org.jboss.logmanager.LogManager}.
     */
    private static void quietLogging() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        root.addHandler(new ConsoleHandler(ConsoleHandler.Target.SYSTEM_ERR, new PatternFormatter("%d{HH:mm:ss,SSS} %-5p [%c{1.}] (%t) %s%e%n")));
        // A new transactional producer's first sends are answered CONCURRENT_TRANSACTIONS and retried: harmless, and many.
        Logger.getLogger("org.apache.kafka.clients.producer.internals.Sender").setLevel(Level.SEVERE);
    }

    static void run(Options o) throws Exception {
        RunClock clock = new RunClock(o.timeoutSeconds());
        ConfigSpace space = ConfigSpace.bundled();
        Workload load = Workload.hyperband(o.experiments(), o.maxEpochs(), o.eta(), space.size());
        Workload warmup = Workload.hyperband(o.warmupExperiments(), o.maxEpochs(), o.eta(), space.size());
        System.out.printf(Locale.ROOT, "Load: %,d experiments x %d trials = %,d trial-completed events per topology and round;"
                        + " %d rounds; %d partitions; warm-up %,d experiments each; limit %d s%n", load.experiments(),
                load.trialsPerExperiment(), load.totalEvents(), o.rounds(), o.partitions(), warmup.experiments(), o.timeoutSeconds());
        String started = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
        long t0 = System.nanoTime();
        List<Round> rounds = new ArrayList<>();
        // sasl-ssl: every client of the run (topologies, worker, driver, admin) connects with TLS and SCRAM, through the
        // client settings file the roles read (KafkaClients), as on a secured production cluster.
        try (LocalKafka kafka = o.saslSsl() ? LocalKafka.startSecured() : LocalKafka.start()) {
            if (o.saslSsl()) {
                System.setProperty(io.hyperstar.events.KafkaClients.FILE_PROPERTY, kafka.clientConfig().toString());
            }
            String bootstrap = kafka.bootstrapServers();
            CpuMeter cpu = CpuMeter.forBroker(bootstrap);
            // Warm-up first (JIT, broker, client metadata) so no measured phase pays for starting cold.
            if (warmup.experiments() > 0) {
                Topics topics = schedulerTopics(bootstrap, "warmup-", o.partitions());
                PassThroughLoad.run(bootstrap, "warmup-pass-through", o.partitions(), topics, warmup, clock, cpu);
                SchedulerLoad.run(bootstrap, "warmup-scheduler", topics, space, warmup, clock, cpu);
                System.out.println("warm-up done");
            }
            // Rounds alternate the two topologies, so a burst of other work on the machine hits one round, not one topology.
            for (int r = 1; r <= o.rounds(); r++) {
                String prefix = "bench-r" + r + "-";
                Topics topics = schedulerTopics(bootstrap, prefix, o.partitions());
                PhaseResult passThrough = PassThroughLoad.run(bootstrap, prefix + "pass-through", o.partitions(), topics, load, clock, cpu);
                print(r, passThrough);
                PhaseResult scheduler = SchedulerLoad.run(bootstrap, prefix + "scheduler", topics, space, load, clock, cpu);
                print(r, scheduler);
                rounds.add(new Round(r, passThrough, scheduler));
            }
        }
        Summary summary = Summary.of(rounds);
        System.out.printf(Locale.ROOT, "median rates: pass-through %,.0f/s, scheduler %,.0f/s; scheduler / pass-through = %.2f (target >= %.2f: %s);"
                        + " whole run %.0f s%n", summary.passThroughRate(), summary.schedulerRate(), summary.ratio(), TARGET_RATIO,
                summary.ratio() >= TARGET_RATIO ? "met" : "NOT met", (System.nanoTime() - t0) / 1e9);
        write(o, load, started, rounds, summary);
    }

    record Round(int round, PhaseResult passThrough, PhaseResult scheduler) {

        double ratio() {
            return scheduler.eventsPerSecond() / passThrough.eventsPerSecond();
        }
    }

    /** Medians over the rounds: the figure one disturbed round cannot move much. */
    record Summary(double passThroughRate, double schedulerRate) {

        static Summary of(List<Round> rounds) {
            return new Summary(median(rounds.stream().mapToDouble(r -> r.passThrough().eventsPerSecond()).toArray()),
                    median(rounds.stream().mapToDouble(r -> r.scheduler().eventsPerSecond()).toArray()));
        }

        double ratio() {
            return schedulerRate / passThroughRate;
        }

        private static double median(double[] v) {
            double[] s = v.clone();
            java.util.Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }
    }

    /** The service's topics under a prefix, created: each round starts on empty topics. */
    private static Topics schedulerTopics(String bootstrap, String prefix, int partitions) throws Exception {
        Topics topics = new Topics(Topics.Names.withPrefix(prefix));
        TopicCreator.create(bootstrap, topics, partitions, (short) 1);
        BenchClients.awaitTopics(bootstrap, topics.all().stream().map(t -> t.name()).toList());
        return topics;
    }

    private static void print(int round, PhaseResult r) {
        Latencies l = r.latencies();
        System.out.printf(Locale.ROOT, "round %d, %s: %,d events in %.1f s = %,.0f events/s; latency p50 %.1f ms, p99 %.1f ms, max %.1f ms (%,d samples)%n",
                round, r.topology(), r.events(), r.seconds(), r.eventsPerSecond(), l.percentileMs(50), l.percentileMs(99), l.maxMs(), l.count());
        r.diagnostics().forEach((k, v) -> System.out.println("    " + k + ": " + v));
    }

    private static void write(Options o, Workload load, String started, List<Round> rounds, Summary summary) throws IOException {
        Files.createDirectories(o.out());
        String machine = machine();
        Properties streams = BenchClients.streamsConfig("-", "-", "-");
        String waves = load.waves().stream().map(w -> String.valueOf(w.n())).collect(Collectors.joining(", "));
        List<PhaseResult> phases = new ArrayList<>();
        rounds.forEach(r -> {
            phases.add(r.passThrough());
            phases.add(r.scheduler());
        });

        StringBuilder md = new StringBuilder();
        md.append("# Scheduler load test: results\n\n");
        md.append("Written by `io.hyperstar.loadtest.SchedulerBenchmark`; see `load-tests/README.md`.\n\n");
        md.append("- **Run:** ").append(started).append("\n");
        md.append("- **Machine:** ").append(machine).append("\n");
        md.append("- **Command:** `").append(o.command()).append("`\n");
        md.append(String.format(Locale.ROOT, "- **Load:** %,d concurrent experiments, vanilla HYPERBAND R=%d, eta=%d: %d trials each in %d waves (%s),"
                        + " so %,d trial-completed events per topology and round; all experiments registered up front; instant worker"
                        + " (read_committed consumer, producer linger.ms=1); logging at WARN. %d rounds, each the pass-through"
                        + " then the scheduler on fresh topics and state; a warm-up of %,d experiments per topology first, not counted.\n",
                load.experiments(), load.maxEpochs(), load.eta(), load.trialsPerExperiment(), load.waves().size(), waves,
                load.totalEvents(), rounds.size(), o.warmupExperiments()));
        md.append(String.format(Locale.ROOT, "- **Kafka:** one local broker (Kafka 4.1.2, KRaft, `src/local-kafka/kafka.sh`%s), %d partitions per topic,"
                        + " replication 1. Both topologies use `SchedulerTopology.streamsConfig`: %s=%s, %s=%s, %s=%s, producer %s=%s, one stream thread%s.\n\n",
                o.saslSsl() ? " `--sasl-ssl`: every client connects with TLS and authenticates with SCRAM-SHA-512" : "",
                o.partitions(), StreamsConfig.PROCESSING_GUARANTEE_CONFIG, streams.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG),
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, streams.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG),
                StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, streams.get(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG),
                ProducerConfig.LINGER_MS_CONFIG, streams.get(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG)),
                BenchClients.streamsOverrides().isEmpty() ? "" : "; overridden for this run: " + BenchClients.streamsOverrides()));
        md.append(String.format(Locale.ROOT, "**Median over %d rounds: pass-through %,.0f events/s, scheduler %,.0f events/s;"
                        + " scheduler / pass-through = %.2f** (target at least %.2f: %s). Per round: %s.\n\n", rounds.size(),
                summary.passThroughRate(), summary.schedulerRate(), summary.ratio(), TARGET_RATIO,
                summary.ratio() >= TARGET_RATIO ? "met" : "**not met**",
                rounds.stream().map(r -> String.format(Locale.ROOT, "%.2f", r.ratio())).collect(Collectors.joining(", "))));
        md.append("| round | topology | events | seconds | events/s | p50 ms | p99 ms | max ms | latency samples | cores: harness / broker / other |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        StringBuilder csv = new StringBuilder("date,machine,round,topology,events,seconds,events_per_s,p50_ms,p99_ms,max_ms,latency_samples,"
                + "cores_harness,cores_broker,cores_other\n");
        for (Round round : rounds) {
            for (PhaseResult r : List.of(round.passThrough(), round.scheduler())) {
                Latencies l = r.latencies();
                String cores = r.diagnostics().get(BenchClients.CORES);
                md.append(String.format(Locale.ROOT, "| %d | %s | %,d | %.1f | %,.0f | %.1f | %.1f | %.1f | %,d | %s |\n", round.round(),
                        r.topology(), r.events(), r.seconds(), r.eventsPerSecond(), l.percentileMs(50), l.percentileMs(99), l.maxMs(),
                        l.count(), cores));
                csv.append(String.format(Locale.ROOT, "%s,\"%s\",%d,\"%s\",%d,%.2f,%.1f,%.2f,%.2f,%.2f,%d,%s\n", started,
                        machine.replace("\"", "'"), round.round(), r.topology(), r.events(), r.seconds(), r.eventsPerSecond(),
                        l.percentileMs(50), l.percentileMs(99), l.maxMs(), l.count(), cores.replace(" / ", ",")));
            }
        }
        md.append("\nEvents/s: trial-completed events divided by the time from the first one produced to the moment the output of the"
                + " last one was consumed (pass-through: its copy; scheduler: the last experiment-completed). Cores: average CPU"
                + " over the phase used by the harness JVM (topology, worker, driver), by the broker, and by every other process on"
                + " the machine (a shared machine shows up here).\n\n");
        md.append("Latency pairs:\n\n");
        md.append("- ").append(rounds.get(0).passThrough().topology()).append(": ").append(rounds.get(0).passThrough().latencyPairs()).append(".\n");
        md.append("- ").append(rounds.get(0).scheduler().topology()).append(": ").append(rounds.get(0).scheduler().latencyPairs()).append(".\n");
        md.append("\nKafka Streams figures at the end of each measured phase (for explaining the rates):\n\n");
        Set<String> keys = new LinkedHashSet<>();
        phases.forEach(r -> keys.addAll(r.diagnostics().keySet()));
        keys.remove(BenchClients.CORES);
        md.append("| figure |");
        rounds.forEach(r -> md.append(" pass-through r").append(r.round()).append(" | scheduler r").append(r.round()).append(" |"));
        md.append("\n|---|").append("---:|".repeat(phases.size())).append("\n");
        for (String k : keys) {
            md.append("| ").append(k).append(" |");
            phases.forEach(r -> md.append(" ").append(r.diagnostics().getOrDefault(k, "")).append(" |"));
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
