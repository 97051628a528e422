package io.hyperstar.loadtest;

import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialStatus;
import io.hyperstar.schedule.SchedulerTopology;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The yardstick: an exactly-once Kafka Streams topology that copies bytes from one topic to another, with the
 * scheduler's Streams settings, driven in the scheduler's waves. A driver sends each experiment's first wave of
 * trial-completed events, and sends the next wave once every event of the previous one came out of the
 * topology (read_committed), so the load has the shape and concurrency the scheduler gets from an instant worker.
 */
final class PassThroughLoad {

    private static final String SENT_AT = "bench-sent-ns";

    private PassThroughLoad() {
    }

    static Topology topology(String in, String out) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        return b.build();
    }

    /** {@code name} names the run's topics, application id and groups, so a warm-up run leaves the measured one alone. */
    static PhaseResult run(String bootstrap, String name, int partitions, Topics topics, Workload load, RunClock clock,
                           CpuMeter cpu) throws Exception {
        String in = name + "-in";
        String out = name + "-out";
        BenchClients.createTopics(bootstrap, partitions, List.of(in, out));
        Path state = BenchClients.tempDir(name + "-state-");
        Driver driver = new Driver(bootstrap, name, in, out, topics, load, clock);
        KafkaStreams streams = new KafkaStreams(topology(in, out),
                BenchClients.streamsConfig(bootstrap, name, state.toString()));
        AtomicReference<Throwable> failure = BenchClients.recordFailure(streams);
        try {
            streams.start();
            BenchClients.awaitRunning(streams, failure, clock, "the pass-through topology");
            CpuMeter.Sample before = cpu.sample(name);
            driver.start();
            clock.await("pass-through", "events", load.totalEvents(), () -> driver.consumed, () -> driver.startedAt,
                    () -> {
                        driver.rethrow();
                        BenchClients.failIfStopped(streams, failure, "the pass-through topology");
                    });
            CpuMeter.Sample after = cpu.sample(name);
            if (Boolean.getBoolean("hyperstar.bench.threads")) {
                System.out.println(name + ", busiest threads:\n" + CpuMeter.busiestThreads(12));
            }
            if (driver.anomalies > 0) {
                throw new IllegalStateException("the pass-through delivered " + driver.anomalies + " unexpected records");
            }
            return new PhaseResult("pass-through (bytes in, bytes out)", load.totalEvents(),
                    (driver.lastConsumedAt - driver.startedAt) / 1e9, driver.latencies,
                    "every event: produced -> its copy consumed (read_committed)",
                    BenchClients.withCpu(BenchClients.streamsDiagnostics(streams), before, after, load.totalEvents()));
        } finally {
            driver.close();
            streams.close(Duration.ofSeconds(30));
            BenchClients.deleteQuietly(state);
        }
    }

    /** Sends the waves and reads the copies back, on its own thread (Kafka clients are single-threaded). */
    private static final class Driver extends BackgroundLoop {

        private final String in;
        private final String out;
        private final Workload load;
        private final RunClock clock;
        private final KafkaProducer<String, TrialCompleted> producer;
        private final KafkaConsumer<String, TrialCompleted> consumer;
        private final Latencies latencies = new Latencies();
        private final int[] wave;
        private final int[] pending;
        private volatile long consumed;
        private volatile long startedAt;
        private volatile long lastConsumedAt;
        private volatile long anomalies;

        Driver(String bootstrap, String name, String in, String out, Topics topics, Workload load, RunClock clock) {
            super("pass-through-driver", "the pass-through driver");
            this.in = in;
            this.out = out;
            this.load = load;
            this.clock = clock;
            this.wave = new int[load.experiments()];
            this.pending = new int[load.experiments()];
            producer = new KafkaProducer<>(BenchClients.producer(bootstrap), topics.trialCompleted.keySerde().serializer(),
                    topics.trialCompleted.valueSerde().serializer());
            consumer = new KafkaConsumer<>(BenchClients.consumer(bootstrap, name + "-driver"),
                    topics.trialCompleted.keySerde().deserializer(), topics.trialCompleted.valueSerde().deserializer());
        }

        @Override
        protected void loop() throws Exception {
            consumer.subscribe(List.of(out));
            while (running && consumer.assignment().isEmpty()) {
                clock.check("the pass-through driver waited for its partitions");
                consumer.poll(Duration.ofMillis(100));
            }
            startedAt = System.nanoTime();
            for (int x = 0; x < load.experiments(); x++) {
                sendWave(x, 0);
            }
            while (running && consumed < load.totalEvents()) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.nanoTime();
                for (ConsumerRecord<String, TrialCompleted> r : records) {
                    Header sent = r.headers().lastHeader(SENT_AT);
                    latencies.add(now - ByteBuffer.wrap(sent.value()).getLong());
                    int x = Integer.parseInt(r.key().substring(4));
                    if (--pending[x] < 0) {
                        anomalies++;
                    } else if (pending[x] == 0 && wave[x] + 1 < load.waves().size()) {
                        sendWave(x, wave[x] + 1);
                    }
                    lastConsumedAt = now;
                    consumed++;
                }
            }
        }

        private void sendWave(int x, int w) {
            wave[x] = w;
            Workload.Wave wv = load.waves().get(w);
            pending[x] = wv.n();
            String id = load.experimentId(x);
            for (int i = 0; i < wv.n(); i++) {
                TrialCompleted ev = TrialCompleted.newBuilder()
                        .setTrialId(id + "-b" + wv.bracket() + "-r" + wv.rung() + "-c" + i)
                        .setExperimentId(id)
                        .setStatus(TrialStatus.SUCCEEDED)
                        .setTop1(0.5)
                        .setCurve(Collections.nCopies(wv.epochs() - wv.resumeFromEpochs(), 0.5))
                        .setEpochsTrained(wv.epochs() - wv.resumeFromEpochs())
                        .setDurationMs(1)
                        .setWorker("bench-worker")
                        .build();
                ProducerRecord<String, TrialCompleted> rec = new ProducerRecord<>(in, id, ev);
                rec.headers().add(SENT_AT, ByteBuffer.allocate(8).putLong(System.nanoTime()).array());
                producer.send(rec);
            }
        }

        @Override
        protected void closeClients() {
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }
}
