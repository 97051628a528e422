package io.hyperstar.client;

import io.hyperstar.events.DatasetFormat;
import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TuningRequest;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What a platform's producer does, as a command: register datasets for tuning and, with {@code --wait},
 * print each experiment's result when it completes.
 * <pre>
 * RegisterDataset --experiment exp-1 --dataset fashion --uri /data/fashion --format IDX \
 *     --strategy HYPERBAND --max-epochs 27 --eta 3 [--budget 0] [--seed 1] [--wait 600]
 * </pre>
 * Several experiments: repeat {@code --experiment ... --strategy ...} groups; options carry over.
 */
public final class RegisterDataset {

    private RegisterDataset() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = io.hyperstar.events.KafkaClients.defaultBootstrap();
        List<DatasetRegistered> requests = new ArrayList<>();
        Map<String, String> o = new HashMap<>(Map.of("format", "IDX", "strategy", "HYPERBAND", "max-epochs", "27",
                "eta", "3", "budget", "0", "seed", "1", "tenant", "demo", "exploration", "0", "parallel", "0"));
        int waitSeconds = 0;
        for (int i = 0; i < args.length; i++) {
            String name = args[i].replaceFirst("^--", "");
            String value = args[++i];
            if (name.equals("bootstrap")) {
                bootstrap = value;
            } else if (name.equals("wait")) {
                waitSeconds = Integer.parseInt(value);
            } else {
                if (name.equals("experiment") && o.containsKey("experiment")) {
                    requests.add(request(o));
                }
                o.put(name, value);
            }
        }
        if (!o.containsKey("experiment")) {
            System.err.println("usage: RegisterDataset --experiment ID --dataset ID --uri PATH [--format IDX|IMAGE_FOLDER] "
                    + "[--strategy HYPERBAND|TASK_AWARE_HYPERBAND|BOHB|ASHA|TASK_AWARE_ASHA] [--max-epochs R] [--eta N] [--budget EPOCHS] "
                    + "[--seed N] [--exploration SHARE] [--parallel TRIALS_IN_FLIGHT (ASHA)] [--wait SECONDS]");
            System.exit(2);
        }
        requests.add(request(o));
        io.hyperstar.events.KafkaClients.checkClusterOrExit(bootstrap);
        try {
            if (!registerAndWait(bootstrap, Topics.defaults(), requests, waitSeconds)) {
                System.exit(1);
            }
        } catch (Exception e) {
            io.hyperstar.events.KafkaClients.exitIfNotAuthorized(e, "platform");
        }
    }

    /** Sends the registrations, then, with a wait, prints their results; false when some result did not come in time. */
    private static boolean registerAndWait(String bootstrap, Topics topics, List<DatasetRegistered> requests, int waitSeconds)
            throws Exception {
        Properties p = io.hyperstar.events.KafkaClients.connection(bootstrap);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        try (KafkaProducer<String, DatasetRegistered> producer = new KafkaProducer<>(p,
                topics.datasetRegistered.keySerde().serializer(), topics.datasetRegistered.valueSerde().serializer())) {
            for (DatasetRegistered r : requests) {
                producer.send(new ProducerRecord<>(topics.datasetRegistered.name(), r.getExperimentId(), r)).get();
                System.out.printf("registered %s: %s on %s (R=%d, eta=%d, budget=%d)%n", r.getExperimentId(),
                        r.getTuning().getStrategy(), r.getDatasetId(), r.getTuning().getMaxEpochsPerTrial(),
                        r.getTuning().getEta(), r.getTuning().getTotalEpochBudget());
            }
        }
        if (waitSeconds <= 0) {
            return true;
        }
        List<ExperimentCompleted> results = await(bootstrap, topics, requests.stream().map(DatasetRegistered::getExperimentId).toList(),
                Duration.ofSeconds(waitSeconds));
        print(results);
        return results.size() == requests.size();
    }

    private static DatasetRegistered request(Map<String, String> o) {
        return DatasetRegistered.newBuilder()
                .setExperimentId(o.get("experiment"))
                .setDatasetId(o.getOrDefault("dataset", o.get("experiment")))
                .setTenant(o.get("tenant"))
                .setUri(o.getOrDefault("uri", ""))
                .setFormat(DatasetFormat.valueOf(o.get("format")))
                .setTuning(TuningRequest.newBuilder()
                        .setStrategy(Strategy.valueOf(o.get("strategy")))
                        .setMaxEpochsPerTrial(Integer.parseInt(o.get("max-epochs")))
                        .setEta(Integer.parseInt(o.get("eta")))
                        .setTotalEpochBudget(Long.parseLong(o.get("budget")))
                        .setSeed(Long.parseLong(o.get("seed")))
                        .setExplorationShare(Double.parseDouble(o.get("exploration")))
                        .setParallelTrials(Integer.parseInt(o.get("parallel")))
                        .build())
                .setRegisteredAtMs(Instant.now())
                .build();
    }

    /** Reads committed experiment results until every id has one or the time is up. */
    static List<ExperimentCompleted> await(String bootstrap, Topics topics, List<String> ids, Duration timeout) {
        Properties c = io.hyperstar.events.KafkaClients.connection(bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "register-dataset-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, ExperimentCompleted> found = new HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, ExperimentCompleted> consumer = new KafkaConsumer<>(c,
                topics.experimentCompleted.keySerde().deserializer(), topics.experimentCompleted.valueSerde().deserializer())) {
            consumer.subscribe(List.of(topics.experimentCompleted.name()));
            while (found.size() < ids.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, ExperimentCompleted> r : consumer.poll(Duration.ofMillis(500))) {
                    if (ids.contains(r.key())) {
                        found.put(r.key(), r.value());
                    }
                }
            }
        }
        if (found.size() < ids.size()) {
            System.err.println("no result within " + timeout + " for " + ids.stream().filter(i -> !found.containsKey(i)).toList());
        }
        return ids.stream().filter(found::containsKey).map(found::get).toList();
    }

    static void print(List<ExperimentCompleted> results) {
        System.out.println();
        System.out.println("| experiment | strategy | outcome | best top-1 | best configuration | epochs used | epochs when best found | trials |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (ExperimentCompleted r : results) {
            System.out.printf("| %s | %s | %s | %s | %s | %d | %d | %d |%n", r.getExperimentId(), r.getStrategy(), r.getCancelled() ? "CANCELLED" : r.getOutcome(),
                    r.getBestTop1() == null ? "-" : String.format("%.4f", r.getBestTop1()),
                    r.getBestConfigId() == null ? "-" : r.getBestConfigId() + " " + r.getBestConfig(),
                    r.getEpochsUsed(), r.getEpochsUsedAtBest(), r.getTrialsRequested());
        }
        results.stream().filter(r -> !r.getNote().isEmpty()).forEach(r -> System.out.println("note (" + r.getExperimentId() + "): " + r.getNote()));
    }
}
