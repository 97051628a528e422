package io.hyperstar.events;

import io.hyperstar.config.HyperstarConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Creates the service's topics at start-up when they are missing, so a fresh cluster needs no manual step. */
@ApplicationScoped
public class TopicCreator {

    private static final Logger LOG = Logger.getLogger(TopicCreator.class);

    @Inject
    HyperstarConfig config;

    @Inject
    Topics topics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    void onStart(@Observes StartupEvent ev) throws Exception {
        // Says at start-up which connection settings the service's clients use (Kafka Streams' come through
        // config.KafkaClientConfigSource from the same file).
        KafkaClients.fileSettings();
        if (!config.topics().create()) {
            return;
        }
        create(bootstrapServers, topics, config.topics().partitions(), config.topics().replicationFactor());
    }

    /** Idempotent: existing topics are left as they are. */
    public static void create(String bootstrapServers, Topics topics, int partitions, short replication) throws Exception {
        try (Admin admin = Admin.create(KafkaClients.connection(bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = topics.all().stream()
                    .filter(t -> !existing.contains(t.name()))
                    .map(t -> new NewTopic(t.name(), partitions, replication)
                            .configs(topics.compacted(t) ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT) : Map.of()))
                    .toList();
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                    LOG.infof("created topics %s", missing.stream().map(NewTopic::name).toList());
                } catch (java.util.concurrent.ExecutionException e) {
                    // Another replica starting at the same moment may have created them first.
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
    }

    /**
     * Creates the service's missing topics from the command line, for clusters where the service may not
     * ({@code hyperstar.topics.create=false}): {@code TopicCreator [--bootstrap host:port] [--partitions 6] [--replication 3]}.
     */
    public static void main(String[] args) throws Exception {
        String bootstrap = KafkaClients.defaultBootstrap();
        int partitions = 6;
        short replication = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--replication" -> replication = Short.parseShort(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --bootstrap host:port --partitions n --replication n)");
            }
        }
        KafkaClients.checkClusterOrExit(bootstrap);
        create(bootstrap, Topics.defaults(), partitions, replication);
        System.out.println("the service's topics exist: " + Topics.defaults().all().stream().map(Topic::name).toList());
    }
}
