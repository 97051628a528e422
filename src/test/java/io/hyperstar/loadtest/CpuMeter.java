package io.hyperstar.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the machine's CPU went during a phase: this JVM (topology, worker, driver), the broker, and every other
 * process. On a small shared machine the last one decides how far a figure can be trusted, so it is reported.
 */
final class CpuMeter {

    /** Linux's USER_HZ: /proc reports CPU time in these ticks. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final Long brokerPid;

    private CpuMeter(Long brokerPid) {
        this.brokerPid = brokerPid;
    }

    /** Finds the broker listening on {@code bootstrap} among this machine's Kafka processes (there may be others). */
    static CpuMeter forBroker(String bootstrap) {
        String listener = "://" + bootstrap;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            Long pid = procs.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> serverProperties(p).map(props -> props.contains(listener + ",") || props.contains(listener + "\n"))
                            .orElse(false))
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .findFirst().orElse(null);
            return new CpuMeter(pid);
        } catch (IOException | RuntimeException e) {
            return new CpuMeter(null);
        }
    }

    private static Optional<String> serverProperties(Path proc) {
        try {
            String[] args = Files.readString(proc.resolve("cmdline")).split("\0");
            if (args.length < 2 || !args[args.length - 2].equals("kafka.Kafka")) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(Path.of(args[args.length - 1])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * streamThreadSeconds: the Streams app's stream threads; jitSeconds: this JVM's JIT compilers, which on two cores
     * compete with the topology for as long as they still compile (an async-profiler profile of a default run had them on
     * about half a core during the measured scheduler phase).
     */
    record Sample(long wallNanos, double machineBusySeconds, double selfSeconds, double brokerSeconds,
                  double streamThreadSeconds, double jitSeconds) {
    }

    /** {@code applicationId}: the Streams app whose stream threads the sample reads. */
    Sample sample(String applicationId) {
        return new Sample(System.nanoTime(), machineBusySeconds(), selfSeconds(), brokerSeconds(),
                streamThreadSeconds(applicationId), ManagementFactory.getCompilationMXBean().getTotalCompilationTime() / 1e3);
    }

    /**
     * CPU seconds the stream threads of one Streams app have used since they started: the topology's own cost,
     * which neither contention nor the harness's other threads blur. Since they started includes opening the state
     * stores, which happens before a phase's first event: {@link #streamThreadPerEvent} takes the phase only.
     */
    static double streamThreadSeconds(String applicationId) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double total = 0;
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith(applicationId + "-") && t.getThreadName().contains("-StreamThread-")) {
                total += Math.max(0, threads.getThreadCpuTime(t.getThreadId())) / 1e9;
            }
        }
        return total;
    }

    /** The busiest live threads by CPU since they started, for finding where a phase's CPU went. */
    static String busiestThreads(int n) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        java.util.List<String> lines = new java.util.ArrayList<>();
        java.util.Map<String, Double> cpu = new java.util.HashMap<>();
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null) {
                cpu.merge(t.getThreadName().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "*"), threads.getThreadCpuTime(t.getThreadId()) / 1e9, Double::sum);
            }
        }
        cpu.entrySet().stream().sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed()).limit(n)
                .forEach(e -> lines.add(String.format(Locale.ROOT, "      %6.2f s  %s", e.getValue(), e.getKey())));
        return String.join("\n", lines);
    }

    /** CPU microseconds per event between two samples, by this JVM and by the broker: what a topology costs, contention aside. */
    static String perEvent(Sample a, Sample b, long events) {
        return String.format(Locale.ROOT, "%.0f / %.0f", (b.selfSeconds() - a.selfSeconds()) * 1e6 / events,
                (b.brokerSeconds() - a.brokerSeconds()) * 1e6 / events);
    }

    /** Stream-thread CPU microseconds per event between two samples: the topology's own cost in the measured phase. */
    static String streamThreadPerEvent(Sample a, Sample b, long events) {
        return String.format(Locale.ROOT, "%.0f", (b.streamThreadSeconds() - a.streamThreadSeconds()) * 1e6 / events);
    }

    /**
     * Seconds this JVM's JIT compilers spent compiling per second between two samples: their elapsed compilation
     * time summed over the compiler threads (CompilationMXBean), about the cores they took when not kept waiting.
     */
    static String jitCores(Sample a, Sample b) {
        return String.format(Locale.ROOT, "%.2f", (b.jitSeconds() - a.jitSeconds()) / ((b.wallNanos() - a.wallNanos()) / 1e9));
    }

    /** Average cores used between two samples, by this JVM, the broker and the rest of the machine. */
    static String describe(Sample a, Sample b) {
        double wall = (b.wallNanos() - a.wallNanos()) / 1e9;
        double self = (b.selfSeconds() - a.selfSeconds()) / wall;
        double broker = (b.brokerSeconds() - a.brokerSeconds()) / wall;
        double busy = (b.machineBusySeconds() - a.machineBusySeconds()) / wall;
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", self, broker, Math.max(0, busy - self - broker));
    }

    private static double machineBusySeconds() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static double selfSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    private double brokerSeconds() {
        if (brokerPid == null) {
            return Double.NaN;
        }
        try {
            String stat = Files.readString(Path.of("/proc", brokerPid.toString(), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is field 0, utime field 11, stime field 12
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
