package io.hyperstar.metalearn;

import io.hyperstar.catalog.DataRoots;
import io.hyperstar.events.DeadLetters;
import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.events.ModelPublished;
import io.hyperstar.events.TopicScan;
import io.hyperstar.events.Topics;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.space.ConfigSpace;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Serdes;
import io.micrometer.core.instrument.MeterRegistry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Entry point of the meta-learner role: reads the compacted meta-dataset topic from its beginning (its state is
 * rebuilt from the topic on every start, so nothing it accepted is lost and no offsets are needed), folds each
 * full-budget result into a {@link MetaLearner}, retrains when enough new results arrived, and announces each
 * admitted model on model-published. A record it cannot use becomes a dead letter with the reason. Run one instance:
 * two would train the same models twice.
 * {@code java -cp <service classpath> io.hyperstar.metalearn.MetaLearnerMain --models models --data-roots data}
 */
public final class MetaLearnerMain implements Runnable, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MetaLearnerMain.class);
    private static final String ROLE = "meta-learner";

    private final Topics topics;
    private final MetaLearner learner;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile long folded;
    /** Null without a registry. */
    private final MeterRegistry metrics;
    /**
     * An admitted model whose announcement the cluster has not taken yet (refused, unreachable), or null. The learner
     * already ranks with it and gates the next candidate against it, so it must not stay unannounced: recommenders
     * would never switch to it. Sent again every {@link #ANNOUNCE_RETRY} until it goes out, or until a newer admitted
     * model replaces it.
     */
    private volatile ModelPublished pending;
    /**
     * Records of the meta-dataset topic ("partition@offset") this role dead-lettered before it last started: the topic
     * is read from its beginning at every start, and a record it refused once must not become a second dead letter.
     */
    private final java.util.Set<String> deadLettered = new java.util.HashSet<>();
    private final String bootstrap;
    private long nextAnnounceAt;
    private int announceAttempts;
    static final Duration ANNOUNCE_RETRY = Duration.ofSeconds(10);

    public MetaLearnerMain(String bootstrap, Topics topics, MetaLearner learner) {
        this(bootstrap, topics, learner, null);
    }

    /**
     * With {@code metrics} (null for none): {@code hyperstar.records{outcome=folded|dead-letter}},
     * {@code hyperstar.retrainings{outcome=published|announcement-pending|not-published|failed}} with their time
     * ({@code hyperstar.retraining.duration}), the records the next retraining would train on
     * ({@code hyperstar.training.records}), and whether an admitted model waits to be announced
     * ({@code hyperstar.announcement.pending}, 1 or 0).
     */
    public MetaLearnerMain(String bootstrap, Topics topics, MetaLearner learner, MeterRegistry metrics) {
        this.topics = topics;
        this.bootstrap = bootstrap;
        this.learner = learner;
        this.metrics = metrics;
        if (metrics != null) {
            metrics.gauge("hyperstar.training.records", learner, l -> l.trainingRecords());
            metrics.gauge("hyperstar.announcement.pending", this, m -> m.pending == null ? 0 : 1);
        }
        this.consumer = TopicScan.consumer(bootstrap);
        Properties p = io.hyperstar.events.KafkaClients.connection(bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        producer = new KafkaProducer<>(p, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    @Override
    public void run() {
        String topic = topics.metaDataset.name();
        try {
            List<TopicPartition> parts = TopicScan.fromBeginning(consumer, topic, Duration.ofSeconds(30));
            if (parts.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist: the service creates the topics"
                        + " at start-up (hyperstar.topics.create)");
            }
            readDeadLetters();
            LOG.infof("%s reading %s from the beginning (%d partitions); model in use %s; %d of its records dead-lettered"
                    + " before", ROLE, topic, parts.size(), learner.incumbent().version(), deadLettered.size());
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                    fold(rec);
                }
                if (learner.due()) {
                    retrain();
                }
                if (pending != null && System.nanoTime() >= nextAnnounceAt) {
                    announce();
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } finally {
            consumer.close();
            producer.close();
        }
    }

    private void fold(ConsumerRecord<byte[], byte[]> rec) {
        String reason;
        try {
            MetaDatasetRecord r = topics.metaDataset.valueSerde().deserializer().deserialize(rec.topic(), rec.value());
            reason = r == null ? "empty record" : learner.fold(r);
        } catch (SerializationException | IllegalArgumentException e) {
            reason = e.getMessage();
        }
        folded++;
        if (metrics != null) {
            metrics.counter("hyperstar.records", "outcome", reason == null ? "folded" : "dead-letter").increment();
        }
        if (reason != null && !deadLettered.contains(rec.partition() + "@" + rec.offset())) {
            LOG.warnf("dead letter from %s-%d@%d: %s", rec.topic(), rec.partition(), rec.offset(), reason);
            send(DeadLetters.record(topics, rec, reason, ROLE));
        }
    }

    private void retrain() {
        LOG.infof("retraining: %d training records against %d for model %s", learner.trainingRecords(),
                learner.incumbent().records(), learner.incumbent().version());
        long start = System.nanoTime();
        String outcome;
        try {
            MetaLearner.Attempt a = learner.retrain();
            if (a.published().isPresent()) {
                LOG.infof("admitted %s", a.reason());
                pending = a.published().get();
                announceAttempts = 0;
                outcome = announce() ? "published" : "announcement-pending";
            } else {
                LOG.warnf("not published: %s", a.reason());
                outcome = "not-published";
            }
        } catch (IOException | RuntimeException e) {
            // The results stay folded; the next record that makes a retraining due tries again.
            LOG.errorf(e, "retraining failed: %s", e.getMessage());
            outcome = "failed";
        }
        if (metrics != null) {
            metrics.counter("hyperstar.retrainings", "outcome", outcome).increment();
            metrics.timer("hyperstar.retraining.duration").record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    /** Which meta-dataset records this role has dead-lettered already, from the dead-letter topic. */
    private void readDeadLetters() {
        String topic = topics.deadLetter.name();
        try (KafkaConsumer<byte[], byte[]> c = TopicScan.consumer(bootstrap)) {
            scanDeadLetters(c, topic);
        } catch (org.apache.kafka.common.errors.AuthorizationException e) {
            // A deployment whose ACLs predate this read: the role still works, as before it.
            LOG.warnf("cannot read %s (%s): records refused before this start will be dead-lettered again; grant the"
                    + " role's ACLs anew (ops.Acls --role meta-learner --apply)", topic, e.getMessage());
        }
    }

    private void scanDeadLetters(KafkaConsumer<byte[], byte[]> c, String topic) {
        boolean whole = TopicScan.readToEnd(c, TopicScan.fromBeginning(c, topic, Duration.ofSeconds(30)), Duration.ofMinutes(10), rec -> {
            try {
                io.hyperstar.events.DeadLetter d = topics.deadLetter.valueSerde().deserializer().deserialize(topic, rec.value());
                if (d != null && ROLE.equals(String.valueOf(d.getRole()))
                        && topics.metaDataset.name().equals(String.valueOf(d.getSourceTopic()))) {
                    deadLettered.add(d.getPartition() + "@" + d.getOffset());
                }
            } catch (SerializationException e) {
                // Not a dead letter this role can read; it cannot be one of its own.
            }
        });
        if (!whole) {
            LOG.warnf("read only part of %s in 10 minutes: some records refused before this start may be dead-lettered again",
                    topic);
        }
    }

    /** Sends the pending announcement; true once it is on model-published, else it stays pending. */
    private boolean announce() {
        ModelPublished m = pending;
        announceAttempts++;
        try {
            send(new ProducerRecord<>(topics.modelPublished.name(), m.getVersion().getBytes(
                    java.nio.charset.StandardCharsets.UTF_8), topics.modelPublished.valueSerde().serializer()
                    .serialize(topics.modelPublished.name(), m)));
        } catch (IllegalStateException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            nextAnnounceAt = System.nanoTime() + ANNOUNCE_RETRY.toNanos();
            LOG.errorf("model %s is in use here but not announced (attempt %d): %s; trying again in %d s", m.getVersion(),
                    announceAttempts, e.getMessage(), ANNOUNCE_RETRY.toSeconds());
            return false;
        }
        LOG.infof("published %s on %s%s", m.getVersion(), topics.modelPublished.name(),
                announceAttempts > 1 ? " after " + announceAttempts + " attempts" : "");
        pending = null;
        return true;
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + record.topic(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot publish to " + record.topic() + ": " + e.getCause(), e.getCause());
        }
    }

    /** Records read off the meta-dataset topic so far, refused ones included. */
    public long folded() {
        return folded;
    }

    @Override
    public void close() {
        running.set(false);
        consumer.wakeup();
    }

    /**
     * The newest model announced on model-published that still checks out against its announcement, or
     * {@code fallback} (the shipped model): a restarted meta-learner goes on from the model the recommenders use.
     */
    static Path modelInUse(String bootstrap, Topics topics, ConfigSpace space, Path fallback) {
        String topic = topics.modelPublished.name();
        ModelPublished newest = null;
        Path dir = fallback;
        try (KafkaConsumer<byte[], byte[]> c = TopicScan.consumer(bootstrap)) {
            List<ConsumerRecord<byte[], byte[]>> announced = new ArrayList<>();
            TopicScan.readToEnd(c, TopicScan.fromBeginning(c, topic, Duration.ofSeconds(30)), Duration.ofMinutes(10), announced::add);
            for (ConsumerRecord<byte[], byte[]> rec : announced) {
                try {
                    ModelPublished m = topics.modelPublished.valueSerde().deserializer().deserialize(topic, rec.value());
                    if (newest == null || ModelArtifact.ANNOUNCED.compare(m, newest) > 0) {
                        dir = ModelArtifact.checkAnnounced(m, space);
                        newest = m;
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("model announcement at %s-%d@%d not usable: %s", topic, rec.partition(),
                            rec.offset(), e.getMessage());
                }
            }
        }
        return dir;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = io.hyperstar.events.KafkaClients.defaultBootstrap();
        Path metadataset = Path.of("src/main/resources/metadataset");
        Path data = Path.of("data");
        Path model = Path.of("src/main/resources/model");
        Path models = Path.of("models");
        String roots = "data";
        MetaLearner.Settings d = MetaLearner.Settings.defaults(models);
        int retrainEvery = d.retrainEvery();
        java.time.Duration retrainAfter = d.retrainAfter();
        int minConfigs = d.minConfigs();
        int gateEvery = d.gateEvery();
        int epochs = d.train().epochs();
        String metricsAt = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--metadataset" -> metadataset = Path.of(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--model" -> model = Path.of(args[++i]);
                case "--models" -> models = Path.of(args[++i]);
                case "--data-roots" -> roots = args[++i];
                case "--retrain-every" -> retrainEvery = Integer.parseInt(args[++i]);
                case "--retrain-after" -> retrainAfter = java.time.Duration.parse(args[++i]);
                case "--min-configs" -> minConfigs = Integer.parseInt(args[++i]);
                case "--gate-every" -> gateEvery = Integer.parseInt(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--metrics" -> metricsAt = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --bootstrap host:port"
                        + " --metadataset dir --data dir --model dir --models dir --data-roots dir,dir"
                        + " --retrain-every n --retrain-after PT24H --min-configs n --gate-every n --epochs n"
                        + " --metrics host:port)");
            }
        }
        // Before reading which model is in use: an unreachable cluster would read as one that published none.
        io.hyperstar.events.KafkaClients.awaitCluster(bootstrap, java.time.Duration.ofSeconds(30), ROLE);
        ConfigSpace space = ConfigSpace.bundled();
        Topics topics = Topics.defaults();
        // Pooled targets, as the shipped model was trained (src/main/resources/model/README.md).
        MetaDataset meta = MetaDataset.load(metadataset, space, 3).completeOnly();
        MetaLearner.Settings settings = new MetaLearner.Settings(retrainEvery, retrainAfter, minConfigs, gateEvery,
                d.train().withEpochs(epochs), models, d.anchorPartial());
        // Prometheus metrics at host:port/metrics when asked (k8s/meta-learner.yaml asks for 0.0.0.0:9464).
        try (io.hyperstar.ops.MetricsServer server = io.hyperstar.ops.MetricsServer.fromOption(metricsAt, ROLE);
             MetaLearner learner = new MetaLearner(space, meta, meta.trainingImages(data), DataRoots.parse(roots),
                modelInUse(bootstrap, topics, space, model), settings);
             MetaLearnerMain main = new MetaLearnerMain(bootstrap, topics, learner, server == null ? null : server.registry())) {
            Runtime.getRuntime().addShutdownHook(new Thread(main::close));
            main.run();
        }
    }
}
