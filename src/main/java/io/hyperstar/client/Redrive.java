package io.hyperstar.client;

import io.hyperstar.events.DeadLetter;
import io.hyperstar.events.Topic;
import io.hyperstar.events.TopicScan;
import io.hyperstar.events.Topics;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sends dead letters back to the topic they came from, once what refused them is fixed: a bug behind an
 * {@code internal error}, a dataset that was missing, a model that could not be read. Each input goes back byte for
 * byte under its original key, with a header naming the dead letter it came from. Sending one twice is safe: every role
 * ignores an input it has already acted on (the same registration, the same trial answer), so a redrive can be repeated
 * after a partial failure. Only the service's own topics are written to, and a selection is required, so that no
 * command sends every dead letter ever written by accident.
 * <pre>
 * Redrive [--bootstrap host:port] [--source TOPIC] [--role ROLE] [--reason TEXT] [--since 2026-11-27T10:00:00Z]
 *         [--limit 1000] [--dry-run]
 *   --source  only letters from this topic; --role  only those a role refused (scheduler, recommender, worker,
 *   meta-learner); --reason  only those whose reason contains TEXT (case-insensitive); --since  only those dead-lettered
 *   from then on. At least one of them. --dry-run lists what would be sent and sends nothing.
 * </pre>
 */
public final class Redrive {

    /** Header on each input sent back: {@code <dead-letter topic>-<partition>@<offset>} of its dead letter. */
    public static final String REDRIVEN_FROM = "hyperstar-redriven-from";

    private Redrive() {
    }

    /** Which dead letters to send back; a null field selects everything on that count. */
    record Selection(String source, String role, String reason, Instant since, int limit) {

        Selection {
            if (source == null && role == null && reason == null && since == null) {
                throw new IllegalArgumentException("say which dead letters to send back: --source, --role, --reason or --since");
            }
            if (limit < 1) {
                throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
            }
        }

        boolean matches(DeadLetter d) {
            return (source == null || source.equals(d.getSourceTopic()))
                    && (role == null || role.equals(d.getRole()))
                    && (reason == null || d.getReason().toLowerCase(Locale.ROOT).contains(reason.toLowerCase(Locale.ROOT)));
        }
    }

    /**
     * A selected dead letter and where it is; {@code skipped} says why it cannot go back (null when it can).
     */
    record Letter(int partition, long offset, DeadLetter letter, String skipped) {
    }

    /** The selected dead letters, oldest first per partition, up to the limit; those that cannot go back say why. */
    static List<Letter> select(String bootstrap, Topics topics, Selection s) {
        Set<String> ours = topics.all().stream().map(Topic::name).filter(n -> !n.equals(topics.deadLetter.name()))
                .collect(Collectors.toSet());
        List<Letter> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = TopicScan.consumer(bootstrap)) {
            List<TopicPartition> parts = TopicScan.fromBeginning(consumer, topics.deadLetter.name(), Duration.ofSeconds(30));
            if (s.since() != null && !parts.isEmpty()) {
                Map<TopicPartition, Long> at = new HashMap<>();
                parts.forEach(p -> at.put(p, s.since().toEpochMilli()));
                Map<TopicPartition, OffsetAndTimestamp> from = consumer.offsetsForTimes(at);
                Map<TopicPartition, Long> end = consumer.endOffsets(parts);
                for (TopicPartition p : parts) {
                    OffsetAndTimestamp o = from.get(p);
                    consumer.seek(p, o == null ? end.get(p) : o.offset()); // none since then: nothing from this partition
                }
            }
            TopicScan.readToEnd(consumer, parts, Duration.ofMinutes(5), rec -> {
                if (out.size() >= s.limit() || rec.value() == null) {
                    return;
                }
                DeadLetter d = topics.deadLetter.valueSerde().deserializer().deserialize(rec.topic(), rec.value());
                if (!s.matches(d)) {
                    return;
                }
                String skipped = d.getPayload() == null ? "no payload (the input had no value)"
                        : !ours.contains(d.getSourceTopic()) ? "topic " + d.getSourceTopic() + " is not one of this service's topics"
                        : null;
                out.add(new Letter(rec.partition(), rec.offset(), d, skipped));
            });
        }
        return out;
    }

    /** Sends the letters that can go back, each to its source topic with its key and payload; returns how many. */
    static int send(String bootstrap, Topics topics, List<Letter> letters) throws Exception {
        Properties p = io.hyperstar.events.KafkaClients.connection(bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        int sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, Serdes.ByteArray().serializer(),
                Serdes.ByteArray().serializer())) {
            for (Letter l : letters) {
                if (l.skipped() != null) {
                    continue;
                }
                DeadLetter d = l.letter();
                ProducerRecord<byte[], byte[]> rec = new ProducerRecord<>(d.getSourceTopic(), bytes(d.getKey()), bytes(d.getPayload()));
                rec.headers().add(REDRIVEN_FROM, (topics.deadLetter.name() + "-" + l.partition() + "@" + l.offset())
                        .getBytes(StandardCharsets.UTF_8));
                producer.send(rec).get(); // one at a time: a failure stops the run at a letter the table names
                sent++;
            }
        }
        return sent;
    }

    /** What a person reads before and after: one line per selected letter. */
    static String table(List<Letter> letters, boolean dryRun) {
        StringBuilder t = new StringBuilder("| dead letter | from | key | role | reason | " + (dryRun ? "would send" : "sent") + " |\n"
                + "|---|---|---|---|---|---|\n");
        for (Letter l : letters) {
            DeadLetter d = l.letter();
            byte[] key = bytes(d.getKey());
            String reason = d.getReason().length() > 120 ? d.getReason().substring(0, 117) + "..." : d.getReason();
            t.append(String.format("| %d@%d | %s-%d@%d | %s | %s | %s | %s |%n", l.partition(), l.offset(), d.getSourceTopic(),
                    d.getPartition(), d.getOffset(), key == null ? "" : new String(key, StandardCharsets.UTF_8), d.getRole(),
                    reason.replace('|', '/'), l.skipped() == null ? "yes" : "no: " + l.skipped()));
        }
        return t.toString();
    }

    static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = io.hyperstar.events.KafkaClients.defaultBootstrap();
        String source = null;
        String role = null;
        String reason = null;
        Instant since = null;
        int limit = 1000;
        boolean dryRun = false;
        Selection selection;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--bootstrap" -> bootstrap = args[++i];
                    case "--source" -> source = args[++i];
                    case "--role" -> role = args[++i];
                    case "--reason" -> reason = args[++i];
                    case "--since" -> since = Instant.parse(args[++i]);
                    case "--limit" -> limit = Integer.parseInt(args[++i]);
                    case "--dry-run" -> dryRun = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            selection = new Selection(source, role, reason, since, limit);
        } catch (RuntimeException e) {
            System.err.println(e.getMessage() + "\nusage: Redrive [--bootstrap host:port] [--source TOPIC] [--role ROLE] "
                    + "[--reason TEXT] [--since ISO-8601] [--limit N] [--dry-run]  (at least one of --source, --role, --reason, --since)");
            System.exit(2);
            return;
        }
        // Else an unreachable cluster would read as one without dead letters.
        io.hyperstar.events.KafkaClients.checkClusterOrExit(bootstrap);
        try {
            run(bootstrap, Topics.defaults(), selection, dryRun);
        } catch (Exception e) {
            io.hyperstar.events.KafkaClients.exitIfNotAuthorized(e, "operator");
        }
    }

    /** Lists the selected dead letters as a table and, unless a dry run, sends back those that can go. */
    private static void run(String bootstrap, Topics topics, Selection selection, boolean dryRun) throws Exception {
        List<Letter> letters = select(bootstrap, topics, selection);
        int sent = dryRun ? 0 : send(bootstrap, topics, letters);
        System.out.print(table(letters, dryRun));
        long ready = letters.stream().filter(l -> l.skipped() == null).count();
        System.out.println(dryRun ? "dry run: " + ready + " of " + letters.size() + " selected dead letter(s) would be sent back"
                : "sent back " + sent + " of " + letters.size() + " selected dead letter(s)");
    }
}
