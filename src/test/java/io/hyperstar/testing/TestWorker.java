package io.hyperstar.testing;

import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.events.TrialStatus;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

/**
 * A trainer fleet for tests: answers every trial request at once from a {@link CurveTable}. It records every
 * request it sees, so a test can check that each planned trial was asked for exactly once.
 */
public final class TestWorker implements AutoCloseable {

    private final Topics topics;
    private final CurveTable curves;
    private final KafkaConsumer<String, TrialRequested> consumer;
    private final KafkaProducer<String, TrialCompleted> producer;
    private final Thread thread;
    private final List<TrialRequested> received = new CopyOnWriteArrayList<>();
    private final Set<String> failFirstAttempt = ConcurrentHashMap.newKeySet();
    private volatile boolean answerTwice;
    private volatile boolean running = true;

    public TestWorker(String bootstrap, Topics topics, CurveTable curves) {
        this.topics = topics;
        this.curves = curves;
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-worker-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Only committed requests: a scheduler killed mid-transaction must not look like it asked twice.
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer = new KafkaConsumer<>(c, topics.trialRequested.keySerde().deserializer(), topics.trialRequested.valueSerde().deserializer());
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        producer = new KafkaProducer<>(p, topics.trialCompleted.keySerde().serializer(), topics.trialCompleted.valueSerde().serializer());
        consumer.subscribe(List.of(topics.trialRequested.name()));
        thread = new Thread(this::loop, "test-worker");
        thread.setDaemon(true);
        thread.start();
    }

    /** Trials whose first attempt (attempt 0) answers FAILED. */
    public TestWorker failFirstAttemptOf(String trialId) {
        failFirstAttempt.add(trialId);
        return this;
    }

    /** Send every answer twice, as an at-least-once worker fleet might. */
    public TestWorker answerTwice() {
        answerTwice = true;
        return this;
    }

    public List<TrialRequested> received() {
        return List.copyOf(received);
    }

    public List<TrialRequested> received(String experimentId) {
        return received.stream().filter(r -> r.getExperimentId().equals(experimentId)).toList();
    }

    private void loop() {
        while (running) {
            for (ConsumerRecord<String, TrialRequested> rec : consumer.poll(Duration.ofMillis(100))) {
                TrialRequested r = rec.value();
                received.add(r);
                TrialCompleted answer = answer(r);
                producer.send(new ProducerRecord<>(topics.trialCompleted.name(), r.getExperimentId(), answer));
                if (answerTwice) {
                    producer.send(new ProducerRecord<>(topics.trialCompleted.name(), r.getExperimentId(), answer));
                }
            }
            producer.flush();
        }
    }

    TrialCompleted answer(TrialRequested r) {
        String baseId = r.getTrialId().replaceAll("-a\\d+$", "");
        boolean fail = r.getAttempt() == 0 && failFirstAttempt.contains(baseId);
        List<Double> curve = IntStream.rangeClosed(r.getResumeFromEpochs() + 1, r.getEpochs())
                .mapToObj(e -> curves.top1(r.getDatasetId(), r.getConfigId(), e)).toList();
        return TrialCompleted.newBuilder()
                .setTrialId(r.getTrialId())
                .setExperimentId(r.getExperimentId())
                .setStatus(fail ? TrialStatus.FAILED : TrialStatus.SUCCEEDED)
                .setTop1(fail ? 0 : curves.top1(r.getDatasetId(), r.getConfigId(), r.getEpochs()))
                .setCurve(fail ? List.of() : curve)
                .setEpochsTrained(r.getEpochs() - r.getResumeFromEpochs())
                .setDurationMs(1)
                .setWorker("test-worker")
                .setError(fail ? "injected failure" : null)
                .build();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
        consumer.close();
        producer.close();
    }

    public static Map<String, Object> producerConfig(String bootstrap) {
        return Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    }
}
