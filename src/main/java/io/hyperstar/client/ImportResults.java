package io.hyperstar.client;

import io.hyperstar.events.MetaDatasetRecord;
import io.hyperstar.metalearn.MetaLearner;
import io.hyperstar.events.Topics;
import io.hyperstar.space.ConfigSpace;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Imports a platform's past results (searches run before HyperSTAR, or elsewhere) into the meta-dataset the
 * meta-learner trains from: one {@code MetaDatasetRecord} per row, key {@code <dataset>/<config>}, no source trial.
 * Every row is checked first; if any is wrong, the command lists them all with their line numbers and sends nothing.
 * <pre>
 * ImportResults --results past.csv [--bootstrap host:port]
 *   past.csv: dataset_id,dataset_uri,config_id,top1,epochs  (top1: validation accuracy in [0, 1] after epochs)
 * </pre>
 */
public final class ImportResults {

    static final String HEADER = "dataset_id,dataset_uri,config_id,top1,epochs";

    private ImportResults() {
    }

    /** The rows as records, or the problems found (line number and reason), never both. */
    record Parsed(List<MetaDatasetRecord> records, List<String> problems) {
    }

    static Parsed parse(List<String> lines, ConfigSpace space) {
        List<MetaDatasetRecord> records = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (lines.isEmpty() || !lines.get(0).trim().equals(HEADER)) {
            return new Parsed(List.of(), List.of("line 1: header must be " + HEADER));
        }
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(",", -1);
            String where = "line " + (i + 1) + ": ";
            if (f.length != 5) {
                problems.add(where + "expected 5 fields, found " + f.length);
                continue;
            }
            try {
                MetaDatasetRecord r = MetaLearner.imported(f[0].trim(), f[1].trim(), Integer.parseInt(f[2].trim()),
                        Double.parseDouble(f[3].trim()), Integer.parseInt(f[4].trim()), space);
                // The meta-learner's own check, and what only a file can get wrong: the epochs trained.
                String problem = MetaLearner.problem(r, space);
                if (problem == null && r.getEpochs() < 1) {
                    problem = "epochs must be at least 1, not " + r.getEpochs();
                }
                if (problem == null) {
                    records.add(r);
                } else {
                    problems.add(where + problem);
                }
            } catch (NumberFormatException e) {
                problems.add(where + "not a number: " + e.getMessage());
            }
        }
        return problems.isEmpty() ? new Parsed(records, List.of()) : new Parsed(List.of(), problems);
    }

    /** Sends the records and waits until the broker has every one. */
    static void send(String bootstrap, Topics topics, List<MetaDatasetRecord> records) throws Exception {
        String topic = topics.metaDataset.name();
        java.util.Properties p = io.hyperstar.events.KafkaClients.connection(bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (MetaDatasetRecord r : records) {
                sent.add(producer.send(new ProducerRecord<>(topic, Topics.metaDatasetKey(r.getDatasetId(),
                        r.getConfigId()).getBytes(StandardCharsets.UTF_8), topics.metaDataset.valueSerde().serializer()
                        .serialize(topic, r))));
            }
            for (java.util.concurrent.Future<?> f : sent) {
                f.get();
            }
        }
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = io.hyperstar.events.KafkaClients.defaultBootstrap();
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bootstrap" -> bootstrap = args[++i];
                case "--results" -> file = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --results file.csv [--bootstrap host:port])");
            }
        }
        if (file == null) {
            System.err.println("usage: ImportResults --results file.csv [--bootstrap host:port]; columns " + HEADER);
            System.exit(2);
        }
        Parsed p = parse(Files.readAllLines(file, StandardCharsets.UTF_8), ConfigSpace.bundled());
        if (!p.problems().isEmpty()) {
            p.problems().forEach(System.err::println);
            System.err.println(file + ": " + p.problems().size() + " bad row(s); nothing imported");
            System.exit(1);
        }
        io.hyperstar.events.KafkaClients.checkClusterOrExit(bootstrap);
        try {
            send(bootstrap, Topics.defaults(), p.records());
        } catch (Exception e) {
            io.hyperstar.events.KafkaClients.exitIfNotAuthorized(e, "operator");
        }
        System.out.println("imported " + p.records().size() + " results of "
                + p.records().stream().map(MetaDatasetRecord::getDatasetId).distinct().count() + " dataset(s) into "
                + Topics.defaults().metaDataset.name());
    }
}
