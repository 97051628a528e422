package io.hyperstar.recommend;

import io.hyperstar.catalog.DataRoots;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.DeadLetters;
import io.hyperstar.events.RankingComputed;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TransactionalLoop;
import io.hyperstar.model.HyperStarModel;
import io.hyperstar.model.ModelArtifact;
import io.hyperstar.model.Ranker;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.ops.MetricsServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Entry point of the recommender role: consumes dataset-registered, ranks each dataset with the model
 * (GPU when DJL sees one, CPU otherwise) and publishes ranking-computed; a refused dataset is published as an
 * error ranking and a dead letter with the reason. It swaps to each model the meta-learner publishes
 * ({@link ModelSwitch}).
 * {@code java -cp <service classpath> io.hyperstar.recommend.RecommenderMain --model dir --data-roots data}
 */
public final class RecommenderMain {

    private static final Logger LOG = Logger.getLogger(RecommenderMain.class);

    private RecommenderMain() {
    }

    /** The recommender as a transactional consume-rank-produce loop over dataset-registered, with one model. */
    public static TransactionalLoop loop(String bootstrap, Topics topics, Recommender recommender, String id) {
        return loop(bootstrap, topics, () -> recommender, id);
    }

    /**
     * The loop asking {@code recommenders} for the recommender of each input on the loop's thread, before it
     * starts ranking: a model swap ({@link ModelSwitch#recommender()}) happens between two inputs, never during one.
     */
    public static TransactionalLoop loop(String bootstrap, Topics topics, Supplier<Recommender> recommenders, String id) {
        return loop(bootstrap, topics, recommenders, id, null);
    }

    /**
     * With {@code metrics} (null for none): the loop's ({@link TransactionalLoop}), and
     * {@code hyperstar.rankings{outcome=ranked|refused}} with {@code hyperstar.ranking.duration}, the recommender's own
     * time per ranking (images read and scored), by device.
     */
    public static TransactionalLoop loop(String bootstrap, Topics topics, Supplier<Recommender> recommenders, String id,
                                         MeterRegistry metrics) {
        return new TransactionalLoop(bootstrap, topics, topics.datasetRegistered.name(), "hyperstar-recommender",
                "hyperstar-recommender-" + id, Duration.ofMinutes(10), "recommender", in -> {
                    DatasetRegistered ev = topics.datasetRegistered.valueSerde().deserializer().deserialize(in.topic(), in.value());
                    if (!needsRanking(ev.getTuning().getStrategy())) {
                        // The scheduler ignores a ranking for a search that does not start from one: ranking it would
                        // only spend a recommender's time, and refusing its dataset (one the trainers can read and
                        // this role cannot, say) would raise a dead letter for nothing.
                        if (metrics != null) {
                            metrics.counter("hyperstar.rankings", "outcome", "not-needed").increment();
                        }
                        LOG.debugf("not ranking %s: %s does not start from a ranking", ev.getExperimentId(), ev.getTuning().getStrategy());
                        return List.of();
                    }
                    Recommender recommender = recommenders.get();
                    RankingComputed r = recommender.rank(ev);
                    List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
                    out.add(new ProducerRecord<>(topics.rankingComputed.name(), in.key(),
                            topics.rankingComputed.valueSerde().serializer().serialize(topics.rankingComputed.name(), r)));
                    if (metrics != null) {
                        metrics.counter("hyperstar.rankings", "outcome", r.getOk() ? "ranked" : "refused").increment();
                        if (r.getOk()) {
                            Timer.builder("hyperstar.ranking.duration").tag("device", r.getDevice()).publishPercentileHistogram()
                                    .register(metrics).record(Duration.ofMillis(r.getMillis()));
                        }
                    }
                    if (r.getOk()) {
                        LOG.infof("ranked %s (%s) in %d ms on %s: top 5 %s%s", ev.getExperimentId(), ev.getDatasetId(),
                                r.getMillis(), r.getDevice(), r.getRanking().subList(0, Math.min(5, r.getRanking().size())),
                                r.getNearestTasks().isEmpty() ? "" : "; ranked like " + r.getNearestTasks().stream()
                                        .map(n -> String.format(java.util.Locale.ROOT, "%s %.2f", n.getTaskId(), n.getWeight()))
                                        .collect(java.util.stream.Collectors.joining(", ")));
                    } else {
                        LOG.warnf("refused %s: %s", ev.getExperimentId(), r.getError());
                        out.add(DeadLetters.record(topics, in, r.getError(), "recommender"));
                    }
                    return out;
                }, metrics);
    }

    /** Whether the requested search starts from a ranking: the core's own answer, which the scheduler acts on. */
    static boolean needsRanking(io.hyperstar.events.Strategy s) {
        try {
            return io.hyperstar.hyperband.Strategy.valueOf(s.name()).needsRanking();
        } catch (IllegalArgumentException unsupported) {
            // A strategy the core does not run: the scheduler refuses the search, so there is nothing to rank for.
            return false;
        }
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = io.hyperstar.events.KafkaClients.defaultBootstrap();
        Path modelDir = Path.of("src/main/resources/model");
        String roots = "data";
        String id = io.hyperstar.events.TransactionalLoop.defaultInstanceId("recommender");
        String metrics = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--model" -> modelDir = Path.of(args[++i]);
                case "--data-roots" -> roots = args[++i];
                case "--id" -> id = args[++i];
                case "--metrics" -> metrics = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --bootstrap host:port --model dir --data-roots dir,dir --id name --metrics host:port)");
            }
        }
        io.hyperstar.events.KafkaClients.awaitCluster(bootstrap, java.time.Duration.ofSeconds(30), "recommender");
        ConfigSpace space = ConfigSpace.bundled();
        Topics topics = Topics.defaults();
        ModelArtifact.Metadata meta = ModelArtifact.readMetadata(modelDir);
        HyperStarModel model = ModelArtifact.load(modelDir, space);
        LOG.infof("model %s (%s, %d tasks) on %s", meta.version(), meta.variant(), meta.tasks().size(), model.manager().getDevice());
        Recommender recommender = new Recommender(model, meta, DataRoots.parse(roots), Ranker.BATCHES, Ranker.PER_BATCH, 20);
        // From here the switch owns the model in use: it closes each one it swaps out, and the last one on close.
        // Prometheus metrics at host:port/metrics when asked (k8s/recommender.yaml asks for 0.0.0.0:9464).
        try (MetricsServer server = MetricsServer.fromOption(metrics, "recommender");
             ModelSwitch models = new ModelSwitch(bootstrap, topics, space, recommender).start()) {
            TransactionalLoop loop = loop(bootstrap, topics, models::recommender, id, server == null ? null : server.registry());
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                loop.close();
                // Let main close the switch (and the model) once the loop has finished its input.
                try {
                    main.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            loop.run();
        }
    }
}
