package io.hyperstar.loadtest;

import io.hyperstar.events.DatasetFormat;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.DeadLetter;
import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.ExperimentOutcome;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.events.TrialStatus;
import io.hyperstar.events.TuningRequest;
import io.hyperstar.hyperband.Experiment;
import io.hyperstar.schedule.ExperimentSerde;
import io.hyperstar.schedule.SchedulerSettings;
import io.hyperstar.schedule.SchedulerTopology;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.CurveTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The scheduler topology itself, as the service runs it (same builder, same Streams settings, default scheduler
 * settings), with every experiment registered up front and an instant worker that answers each trial request
 * from the synthetic learning curves the moment it reads it.
 */
final class SchedulerLoad {

    private SchedulerLoad() {
    }

    /** {@code name} is the application id and the prefix of the consumer groups; {@code topics} must exist. */
    static PhaseResult run(String bootstrap, String name, Topics topics, ConfigSpace space, Workload load, RunClock clock,
                           CpuMeter cpu) throws Exception {
        Path state = BenchClients.tempDir(name + "-state-");
        Worker worker = new Worker(bootstrap, name, topics, load, CurveTable.synthetic(), clock);
        Monitor monitor = new Monitor(bootstrap, name, topics, load, clock);
        KafkaStreams streams = new KafkaStreams(
                SchedulerTopology.build(topics, SchedulerSettings.defaults(), space, new SimpleMeterRegistry()),
                BenchClients.streamsConfig(bootstrap, name, state.toString()));
        AtomicReference<Throwable> failure = BenchClients.recordFailure(streams);
        try {
            streams.start();
            BenchClients.awaitRunning(streams, failure, clock, "the scheduler");
            worker.start();
            monitor.start();
            while (!worker.ready || !monitor.ready) {
                worker.rethrow();
                monitor.rethrow();
                clock.check("the instant worker waited for its partitions");
                Thread.sleep(20);
            }
            CpuMeter.Sample before = cpu.sample(name);
            register(bootstrap, topics, load);
            Runnable health = () -> {
                worker.rethrow();
                monitor.rethrow();
                BenchClients.failIfStopped(streams, failure, "the scheduler");
                if (monitor.deadLetters > 0) {
                    throw new IllegalStateException("the scheduler wrote dead letters, first: " + monitor.firstDeadLetter);
                }
            };
            clock.await("scheduler", "trial-completed sent", load.totalEvents(), () -> worker.answered, () -> worker.startedAt, health);
            clock.await("scheduler", "experiments completed", load.experiments(), () -> monitor.completed, () -> worker.startedAt, health);
            CpuMeter.Sample after = cpu.sample(name);
            if (Boolean.getBoolean("hyperstar.bench.threads")) {
                System.out.println(name + ", busiest threads:\n" + CpuMeter.busiestThreads(12));
            }
            if (worker.anomalies > 0 || monitor.wrongOutcomes > 0) {
                throw new IllegalStateException("the scheduler did not run the planned searches: " + worker.anomalies
                        + " unexpected requests, " + monitor.wrongOutcomes + " unexpected results (first: " + monitor.firstWrong + ")");
            }
            Map<String, String> diagnostics = BenchClients.withCpu(BenchClients.streamsDiagnostics(streams), before, after, load.totalEvents());
            diagnostics.putAll(stateSizes(streams));
            return new PhaseResult("scheduler (HYPERBAND R=" + load.maxEpochs() + ", eta=" + load.eta() + ")", load.totalEvents(),
                    (monitor.lastCompletedAt - worker.startedAt) / 1e9, worker.latencies,
                    "the trial-completed that completes a rung, produced -> the first trial-requested of the next rung "
                            + "(or of the next bracket's first rung) consumed (read_committed)", diagnostics);
        } finally {
            worker.close();
            monitor.close();
            streams.close(Duration.ofSeconds(30));
            BenchClients.deleteQuietly(state);
        }
    }

    private static void register(String bootstrap, Topics topics, Workload load) {
        try (KafkaProducer<String, DatasetRegistered> p = new KafkaProducer<>(BenchClients.producer(bootstrap),
                topics.datasetRegistered.keySerde().serializer(), topics.datasetRegistered.valueSerde().serializer())) {
            for (int x = 0; x < load.experiments(); x++) {
                String id = load.experimentId(x);
                DatasetRegistered ev = DatasetRegistered.newBuilder()
                        .setExperimentId(id)
                        .setDatasetId(load.datasetOf(x))
                        .setTenant("load-test")
                        .setUri("file:///data/" + load.datasetOf(x))
                        .setFormat(DatasetFormat.IDX)
                        .setTuning(TuningRequest.newBuilder().setStrategy(Strategy.HYPERBAND).setMaxEpochsPerTrial(load.maxEpochs())
                                .setEta(load.eta()).setTotalEpochBudget(0).setSeed(x).build())
                        .setRegisteredAtMs(Instant.now())
                        .build();
                p.send(new ProducerRecord<>(topics.datasetRegistered.name(), id, ev));
            }
            p.flush();
        }
    }

    /** Size of the experiments' JSON state at the end of the run (what every store put writes to the changelog). */
    private static Map<String, String> stateSizes(KafkaStreams streams) {
        ReadOnlyKeyValueStore<String, Experiment> store = streams.store(StoreQueryParameters.fromNameAndType(
                SchedulerTopology.EXPERIMENTS_STORE, QueryableStoreTypes.keyValueStore()));
        Serializer<Experiment> json = new ExperimentSerde().serializer();
        long total = 0;
        long max = 0;
        int n = 0;
        try (KeyValueIterator<String, Experiment> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<String, Experiment> kv = it.next();
                int size = json.serialize("", kv.value).length;
                total += size;
                max = Math.max(max, size);
                n++;
            }
        }
        return Map.of("final experiment state bytes (avg)", BenchClients.format(n == 0 ? 0 : total / n),
                "final experiment state bytes (max)", BenchClients.format(max));
    }

    /** Answers every trial request at once and times rung turnarounds, on its own thread. */
    private static final class Worker extends BackgroundLoop {

        private final Topics topics;
        private final Workload load;
        private final CurveTable curves;
        private final RunClock clock;
        private final KafkaConsumer<String, TrialRequested> consumer;
        private final KafkaProducer<String, TrialCompleted> producer;
        private final Latencies latencies = new Latencies();
        /** Per experiment and wave: answers sent, when the wave's last answer was sent, whether a request was seen. */
        private final int[][] answeredInWave;
        private final long[][] waveAnsweredAt;
        private final boolean[][] waveSeen;
        private volatile boolean ready;
        private volatile long answered;
        private volatile long startedAt;
        private volatile long anomalies;

        Worker(String bootstrap, String name, Topics topics, Workload load, CurveTable curves, RunClock clock) {
            super("instant-worker", "the instant worker");
            this.topics = topics;
            this.load = load;
            this.curves = curves;
            this.clock = clock;
            int waves = load.waves().size();
            answeredInWave = new int[load.experiments()][waves];
            waveAnsweredAt = new long[load.experiments()][waves];
            waveSeen = new boolean[load.experiments()][waves];
            consumer = new KafkaConsumer<>(BenchClients.consumer(bootstrap, name + "-worker"),
                    topics.trialRequested.keySerde().deserializer(), topics.trialRequested.valueSerde().deserializer());
            producer = new KafkaProducer<>(BenchClients.producer(bootstrap), topics.trialCompleted.keySerde().serializer(),
                    topics.trialCompleted.valueSerde().serializer());
        }

        @Override
        protected void loop() throws Exception {
            consumer.subscribe(List.of(topics.trialRequested.name()));
            while (running && consumer.assignment().isEmpty()) {
                clock.check("the instant worker waited for its partitions");
                consumer.poll(Duration.ofMillis(100));
            }
            ready = true;
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                long polledAt = System.nanoTime();
                for (ConsumerRecord<String, TrialRequested> rec : records) {
                    onRequest(rec.value(), polledAt);
                }
            }
        }

        private void onRequest(TrialRequested r, long polledAt) {
            int x = Integer.parseInt(r.getExperimentId().substring(4));
            int w = load.waveOf(r.getBracket(), r.getRung());
            if (w < 0 || r.getAttempt() != 0 || answeredInWave[x][w] >= load.waves().get(w).n()) {
                anomalies++; // a retry or a repeat: the run would no longer be the planned one
                return;
            }
            if (!waveSeen[x][w]) {
                waveSeen[x][w] = true;
                if (w > 0) {
                    latencies.add(polledAt - waveAnsweredAt[x][w - 1]);
                }
            }
            TrialCompleted answer = answer(r);
            long sentAt = System.nanoTime();
            producer.send(new ProducerRecord<>(topics.trialCompleted.name(), r.getExperimentId(), answer));
            if (startedAt == 0) {
                startedAt = sentAt;
            }
            if (++answeredInWave[x][w] == load.waves().get(w).n()) {
                waveAnsweredAt[x][w] = sentAt;
            }
            answered++;
        }

        private TrialCompleted answer(TrialRequested r) {
            List<Double> curve = IntStream.rangeClosed(r.getResumeFromEpochs() + 1, r.getEpochs())
                    .mapToObj(e -> curves.top1(r.getDatasetId(), r.getConfigId(), e)).toList();
            return TrialCompleted.newBuilder()
                    .setTrialId(r.getTrialId())
                    .setExperimentId(r.getExperimentId())
                    .setStatus(TrialStatus.SUCCEEDED)
                    .setTop1(curves.top1(r.getDatasetId(), r.getConfigId(), r.getEpochs()))
                    .setCurve(curve)
                    .setEpochsTrained(r.getEpochs() - r.getResumeFromEpochs())
                    .setDurationMs(1)
                    .setWorker("bench-worker")
                    .build();
        }

        @Override
        protected void closeClients() {
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Reads the scheduler's results and dead letters (read_committed) to know when every search has ended. */
    private static final class Monitor extends BackgroundLoop {

        private final Topics topics;
        private final Workload load;
        private final RunClock clock;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Set<String> done = new HashSet<>();
        private volatile boolean ready;
        private volatile long completed;
        private volatile long lastCompletedAt;
        private volatile long deadLetters;
        private volatile String firstDeadLetter;
        private volatile long wrongOutcomes;
        private volatile String firstWrong;

        Monitor(String bootstrap, String name, Topics topics, Workload load, RunClock clock) {
            super("results-monitor", "the results monitor");
            this.topics = topics;
            this.load = load;
            this.clock = clock;
            consumer = new KafkaConsumer<>(BenchClients.consumer(bootstrap, name + "-monitor"),
                    Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
        }

        @Override
        protected void loop() throws Exception {
            consumer.subscribe(new ArrayList<>(List.of(topics.experimentCompleted.name(), topics.deadLetter.name())));
            while (running && consumer.assignment().isEmpty()) {
                clock.check("the results monitor waited for its partitions");
                consumer.poll(Duration.ofMillis(100));
            }
            ready = true;
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                long polledAt = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> rec : records) {
                    if (rec.topic().equals(topics.deadLetter.name())) {
                        DeadLetter dl = topics.deadLetter.valueSerde().deserializer().deserialize(rec.topic(), rec.value());
                        if (firstDeadLetter == null) {
                            firstDeadLetter = dl.getReason();
                        }
                        deadLetters++;
                        continue;
                    }
                    ExperimentCompleted ev = topics.experimentCompleted.valueSerde().deserializer().deserialize(rec.topic(), rec.value());
                    if (ev.getOutcome() != ExperimentOutcome.ALL_BRACKETS_DONE
                            || ev.getTrialsRequested() != load.trialsPerExperiment() || !done.add(ev.getExperimentId())) {
                        if (firstWrong == null) {
                            firstWrong = ev.toString();
                        }
                        wrongOutcomes++;
                        continue;
                    }
                    lastCompletedAt = polledAt;
                    completed++;
                }
            }
        }

        @Override
        protected void closeClients() {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
