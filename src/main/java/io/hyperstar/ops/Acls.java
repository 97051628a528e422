package io.hyperstar.ops;

import io.hyperstar.events.KafkaClients;
import io.hyperstar.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The Kafka ACLs each HyperSTAR role needs on a cluster with an authorizer that denies what no ACL allows, derived from
 * the topic registry (the default topic names). Prints them as a table, or applies them (as a principal allowed to
 * create ACLs, with that principal's client settings in HYPERSTAR_KAFKA_CONFIG):
 *
 * <pre>
 * Acls --role service --principal User:hyperstar-service [--application-id hyperstar-scheduler] [--apply] [--bootstrap host:port]
 * </pre>
 *
 * Each role gets only what its own clients do: the topics it reads and writes, its consumer group, its transactional ids.
 * {@code SecuredClusterIT} runs the service, the recommender, the worker, the producers' client and {@code Redrive},
 * each as its own principal holding only its role's ACLs, on a broker that denies everything else.
 */
public final class Acls {

    /** The roles, as deployed: each runs as a principal of its own. */
    public enum Role {
        /** The Quarkus service: the scheduler (Kafka Streams, exactly-once), the read API's cancels, the models list. */
        SERVICE,
        /** The reference worker (a platform's own trainers need the same). */
        WORKER,
        RECOMMENDER,
        META_LEARNER,
        /** A platform's producers: register datasets, cancel searches, read their results (as client/RegisterDataset). */
        PLATFORM,
        /** Operators: read dead letters and send them back (client/Redrive), import past results (client/ImportResults). */
        OPERATOR
    }

    private Acls() {
    }

    /** The bindings of one role for one principal; {@code applicationId} is the scheduler's Kafka Streams application id. */
    public static List<AclBinding> forRole(Role role, String principal, Topics topics, String applicationId) {
        Bindings b = new Bindings(principal);
        switch (role) {
            case SERVICE -> {
                b.topics(AclOperation.READ, topics.datasetRegistered.name(), topics.trialCompleted.name(),
                        topics.rankingComputed.name(), topics.cancelRequested.name(), topics.modelPublished.name(),
                        topics.tenantAdmission.name(), topics.admissionGranted.name());
                b.topics(AclOperation.WRITE, topics.trialRequested.name(), topics.experimentCompleted.name(),
                        topics.metaDataset.name(), topics.deadLetter.name(), topics.cancelRequested.name(),
                        topics.tenantAdmission.name(), topics.admissionGranted.name());
                // The service creates missing topics at start-up (hyperstar.topics.create, on by default).
                b.topics(AclOperation.CREATE, topics.all().stream().map(io.hyperstar.events.Topic::name).toArray(String[]::new));
                // Kafka Streams' changelog topics, its consumer group and its transactional ids all start with the
                // application id.
                b.add(ResourceType.TOPIC, applicationId + "-", PatternType.PREFIXED, AclOperation.ALL);
                b.add(ResourceType.GROUP, applicationId, PatternType.LITERAL, AclOperation.READ);
                b.add(ResourceType.TRANSACTIONAL_ID, applicationId + "-", PatternType.PREFIXED, AclOperation.WRITE);
            }
            case WORKER -> {
                b.topics(AclOperation.READ, topics.trialRequested.name(), topics.experimentCompleted.name());
                b.topics(AclOperation.WRITE, topics.trialCompleted.name(), topics.deadLetter.name());
                b.add(ResourceType.GROUP, "hyperstar-workers", PatternType.LITERAL, AclOperation.READ);
                b.add(ResourceType.TRANSACTIONAL_ID, "hyperstar-worker-", PatternType.PREFIXED, AclOperation.WRITE);
            }
            case RECOMMENDER -> {
                b.topics(AclOperation.READ, topics.datasetRegistered.name(), topics.modelPublished.name());
                b.topics(AclOperation.WRITE, topics.rankingComputed.name(), topics.deadLetter.name());
                b.add(ResourceType.GROUP, "hyperstar-recommender", PatternType.LITERAL, AclOperation.READ);
                b.add(ResourceType.TRANSACTIONAL_ID, "hyperstar-recommender-", PatternType.PREFIXED, AclOperation.WRITE);
            }
            case META_LEARNER -> {
                // The dead letters too: at start it skips the records it dead-lettered before.
                b.topics(AclOperation.READ, topics.metaDataset.name(), topics.modelPublished.name(), topics.deadLetter.name());
                b.topics(AclOperation.WRITE, topics.modelPublished.name(), topics.deadLetter.name());
            }
            case PLATFORM -> {
                b.topics(AclOperation.WRITE, topics.datasetRegistered.name(), topics.cancelRequested.name());
                b.topics(AclOperation.READ, topics.experimentCompleted.name());
                // client/RegisterDataset --wait reads results in a group of its own per run.
                b.add(ResourceType.GROUP, "register-dataset-", PatternType.PREFIXED, AclOperation.READ);
            }
            case OPERATOR -> {
                b.topics(AclOperation.READ, topics.deadLetter.name());
                // A dead letter goes back to the topic it came from, any of the service's but the dead letters' own (as
                // Redrive allows).
                b.topics(AclOperation.WRITE, topics.all().stream().map(io.hyperstar.events.Topic::name)
                        .filter(n -> !n.equals(topics.deadLetter.name())).toArray(String[]::new));
            }
        }
        return List.copyOf(b.list);
    }

    /** The bindings as a Markdown table, one row each. */
    public static String table(List<AclBinding> bindings) {
        StringBuilder s = new StringBuilder("| principal | resource | name | pattern | operation |\n|---|---|---|---|---|\n");
        for (AclBinding b : bindings) {
            s.append("| ").append(b.entry().principal()).append(" | ").append(b.pattern().resourceType()).append(" | ")
                    .append(b.pattern().name()).append(" | ").append(b.pattern().patternType()).append(" | ")
                    .append(b.entry().operation()).append(" |\n");
        }
        return s.toString();
    }

    private static final class Bindings {
        private final String principal;
        private final List<AclBinding> list = new ArrayList<>();

        Bindings(String principal) {
            if (!principal.matches("[A-Za-z]+:.+")) {
                throw new IllegalArgumentException("a principal is TYPE:NAME, for example User:hyperstar-worker, not " + principal);
            }
            this.principal = principal;
        }

        void topics(AclOperation op, String... names) {
            for (String name : names) {
                add(ResourceType.TOPIC, name, PatternType.LITERAL, op);
            }
        }

        void add(ResourceType type, String name, PatternType pattern, AclOperation op) {
            list.add(new AclBinding(new ResourcePattern(type, name, pattern),
                    new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW)));
        }
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = io.hyperstar.events.KafkaClients.defaultBootstrap();
        Role role = null;
        String principal = null;
        String applicationId = "hyperstar-scheduler";
        boolean apply = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--bootstrap" -> bootstrap = args[++i];
                    case "--role" -> role = Role.valueOf(args[++i].toUpperCase(Locale.ROOT).replace('-', '_'));
                    case "--principal" -> principal = args[++i];
                    case "--application-id" -> applicationId = args[++i];
                    case "--apply" -> apply = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (role == null || principal == null) {
                throw new IllegalArgumentException("--role and --principal are required");
            }
        } catch (RuntimeException e) {
            System.err.println(e.getMessage() + "\nusage: Acls --role service|worker|recommender|meta-learner|platform|operator"
                    + " --principal User:NAME [--application-id hyperstar-scheduler] [--apply] [--bootstrap host:port]");
            System.exit(2);
            return;
        }
        List<AclBinding> bindings = forRole(role, principal, Topics.defaults(), applicationId);
        System.out.print(table(bindings));
        if (apply) {
            KafkaClients.checkClusterOrExit(bootstrap);
            try (Admin admin = Admin.create(KafkaClients.connection(bootstrap))) {
                admin.createAcls(bindings).all().get(60, TimeUnit.SECONDS);
            }
            System.out.println("applied " + bindings.size() + " ACL(s) for " + principal + " (" + role + "); existing ones are kept");
        }
    }
}
