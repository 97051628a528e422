package io.hyperstar.events;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The settings every Kafka client of a process shares: the cluster's address and, for a cluster that asks for them,
 * the connection settings of a client configuration file (TLS, SASL, client timeouts), the same file for every role.
 * The file is named by {@value #FILE_ENV} (or the system property {@value #FILE_PROPERTY}); in Kubernetes it is a
 * Secret mounted into each pod. A role puts its own settings (group, transactions, isolation) on top of these, so the
 * file cannot change how a role reads or writes, only how it connects.
 */
public final class KafkaClients {

    public static final String FILE_ENV = "HYPERSTAR_KAFKA_CONFIG";
    public static final String FILE_PROPERTY = "hyperstar.kafka.config";

    private static final Logger LOG = Logger.getLogger(KafkaClients.class);
    /** Names whose values are credentials: logged as [hidden]. */
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|jaas|secret|credentials|key$|token).*");
    private static Map<String, String> fileSettings;

    private KafkaClients() {
    }

    /** The cluster's address a command-line role uses unless told otherwise: KAFKA_BOOTSTRAP_SERVERS, else a local broker. */
    public static String defaultBootstrap() {
        return System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    }

    /** The client settings file this process is given ({@value #FILE_PROPERTY}, else {@value #FILE_ENV}), if any. */
    public static Optional<Path> namedFile() {
        String named = System.getProperty(FILE_PROPERTY, System.getenv(FILE_ENV));
        return named == null || named.isBlank() ? Optional.empty() : Optional.of(Path.of(named));
    }

    /** The cluster's address, then the file's settings (none without a file): the base of every client's properties. */
    public static Properties connection(String bootstrap) {
        return connection(bootstrap, fileSettings());
    }

    /** The cluster's address, then these settings. */
    public static Properties connection(String bootstrap, Map<String, String> settings) {
        Properties p = new Properties();
        p.putAll(settings);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return p;
    }

    /**
     * Returns once the cluster answers, or throws with the reason. A client that cannot connect (a wrong address, TLS
     * expected and not configured) otherwise just waits, and a tool that reads a topic would report it empty; one that
     * is refused (wrong credentials) fails only at its first request.
     */
    public static void checkCluster(String bootstrap, Duration timeout) {
        checkCluster(bootstrap, fileSettings(), timeout);
    }

    /** {@link #checkCluster(String, Duration)} with these settings instead of the file's. */
    public static void checkCluster(String bootstrap, Map<String, String> settings, Duration timeout) {
        Properties p = connection(bootstrap, settings);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis())).nodes()
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unreachable(bootstrap, settings, timeout, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw unreachable(bootstrap, settings, timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to the Kafka cluster at " + bootstrap, e);
        }
    }

    /** For the command-line tools: {@link #checkCluster} within 30 s, or the reason on stderr and exit status 1. */
    public static void checkClusterOrExit(String bootstrap) {
        try {
            checkCluster(bootstrap, Duration.ofSeconds(30));
        } catch (ClusterUnreachable e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }

    /**
     * For the command-line tools: a Kafka authorization failure (an ACL the tool's principal lacks) said in one line,
     * with the role whose ACLs the principal needs, then exit status 1 instead of a stack trace; anything else is
     * rethrown.
     */
    public static void exitIfNotAuthorized(Exception e, String role) throws Exception {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof AuthorizationException) {
            System.err.println(cause.getMessage() + ": this client's principal needs the ACLs of the " + role
                    + " role (io.hyperstar.ops.Acls --role " + role + " --principal ...)");
            System.exit(1);
        }
        throw e;
    }

    /**
     * For the long-running roles: waits until the cluster answers, saying every {@code interval} why it does not yet (a
     * pod may start before its cluster is reachable), and throws at once when the cluster refuses the credentials, which
     * waiting does not mend.
     */
    public static void awaitCluster(String bootstrap, Duration interval, String role) {
        while (true) {
            try {
                checkCluster(bootstrap, interval);
                return;
            } catch (ClusterUnreachable e) {
                if (e.refused()) {
                    throw e;
                }
                LOG.warnf("%s waiting for Kafka: %s", role, e.getMessage());
            }
        }
    }

    /** Why a client could not use the cluster; {@link #refused()} when the cluster answered and said no. */
    public static final class ClusterUnreachable extends IllegalStateException {
        private final boolean refused;

        ClusterUnreachable(String message, Throwable cause, boolean refused) {
            super(message, cause);
            this.refused = refused;
        }

        public boolean refused() {
            return refused;
        }
    }

    private static ClusterUnreachable unreachable(String bootstrap, Map<String, String> used, Duration timeout, Throwable cause) {
        boolean refused = cause instanceof AuthenticationException || cause instanceof AuthorizationException;
        String settings = used.isEmpty() ? "no connection settings (" + FILE_ENV + " names none)"
                : "the connection settings " + describe(used);
        String message = refused
                ? "the Kafka cluster at " + bootstrap + " refused this client: " + cause.getMessage() + "; with " + settings
                : "no answer from the Kafka cluster at " + bootstrap + " in " + timeout.toSeconds() + " s (" + cause
                + "): is the address right, and does the cluster need TLS or SASL settings? With " + settings;
        return new ClusterUnreachable(message, cause, refused);
    }

    /** The file's settings, read once per process; empty when no file is named. */
    public static synchronized Map<String, String> fileSettings() {
        if (fileSettings == null) {
            Optional<Path> named = namedFile();
            fileSettings = named.map(KafkaClients::read).orElse(Map.of());
            if (!fileSettings.isEmpty()) {
                LOG.infof("Kafka client settings from %s: %s", named.get(), describe(fileSettings));
            }
        }
        return fileSettings;
    }

    /**
     * Reads a client configuration file (Java properties, as Kafka's own command-line tools take with
     * {@code --command-config}). A file that cannot be read, or that sets the cluster's address, is refused at start-up
     * with the reason: a role that silently connected without its credentials would only fail later, and less clearly.
     */
    public static Map<String, String> read(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the Kafka client settings " + file + " (named by " + FILE_ENV
                    + " or -D" + FILE_PROPERTY + "): " + e, e);
        }
        Map<String, String> settings = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> settings.put(k.trim(), p.getProperty(k).trim()));
        if (settings.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            // One place for the address (KAFKA_BOOTSTRAP_SERVERS, --bootstrap), so two cannot disagree.
            throw new IllegalStateException("the Kafka client settings " + file + " set bootstrap.servers: give the cluster's"
                    + " address with KAFKA_BOOTSTRAP_SERVERS (or --bootstrap) instead, and keep the file for how to connect");
        }
        return Map.copyOf(settings);
    }

    /** The settings as {@code key=value, ...}, credentials hidden: what a log line may show. */
    public static String describe(Map<String, String> settings) {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(settings).forEach((k, v) -> s.append(s.isEmpty() ? "" : ", ").append(k).append('=')
                .append(SECRET.matcher(k).matches() ? "[hidden]" : v));
        return s.toString();
    }
}
