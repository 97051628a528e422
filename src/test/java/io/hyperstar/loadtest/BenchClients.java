package io.hyperstar.loadtest;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import io.hyperstar.schedule.SchedulerTopology;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/** Client settings both phases share, so the only difference between them is the topology. */
final class BenchClients {

    private BenchClients() {
    }

    /** Prefix of system properties that override a Streams setting in both topologies, for trying a setting out. */
    static final String CORES = "cores used: harness JVM / broker / other processes";

    static final String STREAM_THREAD_CPU = "stream thread CPU us per event (measured phase)";

    static final String JIT_CORES = "JIT compile s per s (measured phase)";

    static final String CPU_PER_EVENT = "CPU us per event: harness JVM / broker";

    static final String STREAMS_OVERRIDE = "hyperstar.bench.streams.";

    /** The scheduler's own Streams settings ({@link SchedulerTopology#streamsConfig}), plus any override. */
    static Properties streamsConfig(String bootstrap, String applicationId, String stateDir) {
        Properties p = SchedulerTopology.streamsConfig(bootstrap, applicationId, stateDir);
        p.putAll(streamsOverrides());
        return p;
    }

    static Map<String, String> streamsOverrides() {
        Map<String, String> out = new TreeMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(STREAMS_OVERRIDE))
                .forEach(k -> out.put(k.substring(STREAMS_OVERRIDE.length()), System.getProperty(k)));
        return out;
    }

    /** The producer an instant worker uses: the test worker's settings (linger 1 ms, idempotent, acks=all). */
    static Properties producer(String bootstrap) {
        Properties p = io.hyperstar.events.KafkaClients.connection(bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        return p;
    }

    /** A consumer that sees only committed output, as a real worker must under exactly-once. */
    static Properties consumer(String bootstrap, String group) {
        Properties c = io.hyperstar.events.KafkaClients.connection(bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return c;
    }

    static void createTopics(String bootstrap, int partitions, List<String> names) throws Exception {
        try (Admin admin = Admin.create(io.hyperstar.events.KafkaClients.connection(bootstrap))) {
            admin.createTopics(names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList())
                    .all().get(30, TimeUnit.SECONDS);
        }
        awaitTopics(bootstrap, names);
    }

    /**
     * Waits until the broker describes every topic with a leader for each partition: Streams that starts before
     * then finds a source topic missing and stops in ERROR.
     */
    static void awaitTopics(String bootstrap, Collection<String> names) throws Exception {
        try (Admin admin = Admin.create(io.hyperstar.events.KafkaClients.connection(bootstrap))) {
            for (int attempt = 0; ; attempt++) {
                try {
                    var described = admin.describeTopics(names).allTopicNames().get(10, TimeUnit.SECONDS);
                    if (described.values().stream().allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null))) {
                        return;
                    }
                } catch (ExecutionException e) {
                    if (attempt >= 100) {
                        throw e;
                    }
                }
                if (attempt >= 100) {
                    throw new IllegalStateException("topics " + names + " have no leader after 10 s");
                }
                Thread.sleep(100);
            }
        }
    }

    /** Keeps the first error that stops a Streams app, so the harness can say why. */
    static AtomicReference<Throwable> recordFailure(KafkaStreams streams) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        streams.setUncaughtExceptionHandler(e -> {
            failure.compareAndSet(null, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        return failure;
    }

    static void awaitRunning(KafkaStreams streams, AtomicReference<Throwable> failure, RunClock clock, String what)
            throws InterruptedException {
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING) {
                throw new IllegalStateException(what + " stopped while starting: " + streams.state(), failure.get());
            }
            clock.check("waiting for " + what + " to reach RUNNING");
            Thread.sleep(50);
        }
    }

    static void failIfStopped(KafkaStreams streams, AtomicReference<Throwable> failure, String what) {
        KafkaStreams.State s = streams.state();
        if (failure.get() != null || s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR
                || s == KafkaStreams.State.NOT_RUNNING) {
            throw new IllegalStateException(what + " stopped during the run: " + s, failure.get());
        }
    }

    /** The figures that explain a Streams app's throughput: processing, commits, punctuations and bytes written. */
    static Map<String, String> streamsDiagnostics(KafkaStreams streams) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<MetricName, ? extends Metric> m = streams.metrics();
        for (String name : List.of("process-total", "commit-total", "commit-latency-avg", "commit-latency-max",
                "punctuate-total", "punctuate-latency-avg", "punctuate-latency-max", "poll-records-avg")) {
            out.put("thread " + name, format(sum(m, "stream-thread-metrics", name)));
        }
        for (String name : List.of("record-send-total", "outgoing-byte-total", "batch-size-avg")) {
            out.put("producer " + name, format(sum(m, "producer-metrics", name)));
        }
        return out;
    }

    /** Puts the phase's CPU split first: on a shared machine it says how much the other figures can be trusted. */
    static Map<String, String> withCpu(Map<String, String> diagnostics, CpuMeter.Sample before, CpuMeter.Sample after,
                                       long events) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(CORES, CpuMeter.describe(before, after));
        out.put(STREAM_THREAD_CPU, CpuMeter.streamThreadPerEvent(before, after, events));
        out.put(JIT_CORES, CpuMeter.jitCores(before, after));
        out.put(CPU_PER_EVENT, CpuMeter.perEvent(before, after, events));
        out.putAll(diagnostics);
        return out;
    }

    private static double sum(Map<MetricName, ? extends Metric> metrics, String group, String name) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            if (e.getKey().group().equals(group) && e.getKey().name().equals(name)
                    && e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                total += n.doubleValue();
            }
        }
        return total;
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%,d", (long) v)
                : String.format(Locale.ROOT, "%,.2f", v);
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}
