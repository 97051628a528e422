package io.hyperstar.worker;

import io.hyperstar.events.DatasetFormat;
import io.hyperstar.events.DeadLetter;
import io.hyperstar.events.ExperimentCompleted;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.events.TrialStatus;
import io.hyperstar.ops.MetricsServer;
import io.hyperstar.testing.Scrape;
import io.hyperstar.testing.KafkaBroker;
import io.hyperstar.testing.CurveTable;
import io.hyperstar.testing.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The reference worker in replay mode on a real broker: answers, bad requests, unreadable bytes. */
class TrialWorkerTests {

    private static final Topics TOPICS = new Topics(Topics.Names.withPrefix("worker-"));
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withTopics(TOPICS, 2);
    private static final Topics CANCEL_TOPICS = new Topics(Topics.Names.withPrefix("worker-cancel-"));

    @Test
    void answersFromTheRecordedCurvesRefusesWhatItCannotRunAndSurvivesGarbage() throws Exception {
        ReplayRunner runner = ReplayRunner.load(Path.of("src/test/resources/curves/synthetic-curves.csv"));
        CurveTable curves = CurveTable.synthetic();
        try (MetricsServer metrics = MetricsServer.start("127.0.0.1", 0, "worker");
             TrialWorker worker = new TrialWorker(kafka.bootstrapServers(), TOPICS, runner, "w1", "workers", Duration.ofMinutes(5),
                     metrics.registry())) {
            Thread t = new Thread(worker);
            t.start();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer())) {
                Serializer<TrialRequested> ser = TOPICS.trialRequested.valueSerde().serializer();
                producer.send(new ProducerRecord<>(TOPICS.trialRequested.name(), "e".getBytes(), ser.serialize("", request("e-ok", "ds-1", 3, 9, 3))));
                producer.send(new ProducerRecord<>(TOPICS.trialRequested.name(), "e".getBytes(), "garbage".getBytes()));
                producer.send(new ProducerRecord<>(TOPICS.trialRequested.name(), "e".getBytes(), ser.serialize("", request("e-unknown", "nope", 3, 9, 0))));
                producer.send(new ProducerRecord<>(TOPICS.trialRequested.name(), "e".getBytes(), ser.serialize("", request("e-too-long", "ds-1", 3, 500, 0))));
                producer.send(new ProducerRecord<>(TOPICS.trialRequested.name(), "e".getBytes(), ser.serialize("", request("e-zero", "ds-1", 3, 0, 0))));
            }
            List<TrialCompleted> answers = TopicReader.read(kafka.bootstrapServers(), TOPICS.trialCompleted.name(), TOPICS.trialCompleted.valueSerde().deserializer(), 4, Duration.ofSeconds(60));
            assertThat(answers).extracting(TrialCompleted::getTrialId).containsExactly("e-ok", "e-unknown", "e-too-long", "e-zero");
            TrialCompleted ok = answers.get(0);
            assertThat(ok.getStatus()).isEqualTo(TrialStatus.SUCCEEDED);
            assertThat(ok.getTop1()).isEqualTo(curves.top1("ds-1", 3, 9));
            assertThat(ok.getCurve()).hasSize(6).first().isEqualTo(curves.top1("ds-1", 3, 4));
            assertThat(ok.getEpochsTrained()).isEqualTo(6);
            assertThat(ok.getWorker()).isEqualTo("w1");
            assertThat(answers.get(1).getError()).contains("no recorded curve for dataset nope");
            assertThat(answers.get(2).getError()).contains("outside the recorded 1..27");
            assertThat(answers.get(3).getError()).contains("outside the recorded");
            List<DeadLetter> dead = TopicReader.read(kafka.bootstrapServers(), TOPICS.deadLetter.name(), TOPICS.deadLetter.valueSerde().deserializer(), 1, Duration.ofSeconds(60));
            assertThat(dead.get(0).getRole()).isEqualTo("worker");
            assertThat(dead.get(0).getReason()).contains("not a readable TrialRequested");
            assertThat(dead.get(0).getOffset()).isEqualTo(1);

            // What Prometheus scrapes from the worker: the inputs by outcome, the answers by status, the time per input,
            // the epochs trained and the consumer's own metrics (its lag among them).
            String topic = TOPICS.trialRequested.name();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Scrape.metrics(metrics))
                    .contains("hyperstar_inputs_total{outcome=\"answered\",role=\"worker\",topic=\"" + topic + "\",} 4.0")
                    .contains("hyperstar_inputs_total{outcome=\"dead-letter\",role=\"worker\",topic=\"" + topic + "\",} 1.0"));
            assertThat(Scrape.metrics(metrics))
                    .contains("hyperstar_trials_total{role=\"worker\",status=\"SUCCEEDED\",} 1.0")
                    .contains("hyperstar_trials_total{role=\"worker\",status=\"FAILED\",} 3.0")
                    .contains("hyperstar_trial_epochs_total{role=\"worker\",} 6.0")
                    .contains("hyperstar_input_duration_seconds_count{role=\"worker\",topic=\"" + topic + "\",} 5.0")
                    .contains("hyperstar_input_duration_seconds_bucket{")
                    .contains("kafka_consumer_fetch_manager_records_lag_max")
                    .contains("jvm_memory_used_bytes");
            worker.close();
            t.join(10_000);
        }
    }


    @Test
    void aTrialOfACancelledSearchIsAnsweredWithoutTrainingAndOthersAreTrained() throws Exception {
        // Topics of its own, so that neither test's worker answers the other's requests.
        io.hyperstar.events.TopicCreator.create(kafka.bootstrapServers(), CANCEL_TOPICS, 2, (short) 1);
        ReplayRunner runner = ReplayRunner.load(Path.of("src/test/resources/curves/synthetic-curves.csv"));
        try (KafkaProducer<String, ExperimentCompleted> results = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                CANCEL_TOPICS.experimentCompleted.keySerde().serializer(), CANCEL_TOPICS.experimentCompleted.valueSerde().serializer())) {
            results.send(new ProducerRecord<>(CANCEL_TOPICS.experimentCompleted.name(), "gone", ended("gone", true))).get();
            results.send(new ProducerRecord<>(CANCEL_TOPICS.experimentCompleted.name(), "over", ended("over", false))).get();
        }
        try (TrialWorker worker = new TrialWorker(kafka.bootstrapServers(), CANCEL_TOPICS, runner, "w2", "workers-2", Duration.ofMinutes(5))) {
            Thread t = new Thread(worker);
            t.start();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer())) {
                Serializer<TrialRequested> ser = CANCEL_TOPICS.trialRequested.valueSerde().serializer();
                for (String experiment : List.of("gone", "over", "live")) {
                    TrialRequested r = TrialRequested.newBuilder(request(experiment + "-t", "ds-1", 3, 9, 0)).setExperimentId(experiment).build();
                    producer.send(new ProducerRecord<>(CANCEL_TOPICS.trialRequested.name(), experiment.getBytes(), ser.serialize("", r)));
                }
            }
            List<TrialCompleted> answers = TopicReader.read(kafka.bootstrapServers(), CANCEL_TOPICS.trialCompleted.name(),
                    CANCEL_TOPICS.trialCompleted.valueSerde().deserializer(), 3, Duration.ofSeconds(60));
            assertThat(answers).extracting(TrialCompleted::getTrialId, TrialCompleted::getStatus, TrialCompleted::getError)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("gone-t", TrialStatus.FAILED, "not trained: the search was cancelled"),
                            org.assertj.core.groups.Tuple.tuple("over-t", TrialStatus.SUCCEEDED, null),
                            org.assertj.core.groups.Tuple.tuple("live-t", TrialStatus.SUCCEEDED, null));
            worker.close();
            t.join(10_000);
        }
    }

    private static ExperimentCompleted ended(String id, boolean cancelled) {
        return ExperimentCompleted.newBuilder().setExperimentId(id).setDatasetId("ds-1").setStrategy(io.hyperstar.events.Strategy.HYPERBAND)
                .setOutcome(io.hyperstar.events.ExperimentOutcome.BUDGET_SPENT).setEpochsUsed(0).setTrialsRequested(1)
                .setTrialsSucceeded(0).setTrialsFailed(0).setCancelled(cancelled).build();
    }

    @Test
    void aPacedReplayGivesTheSameAnswersAndRefusesANonsensePace() throws Exception {
        Path real = Path.of("src/main/resources/metadataset/curves.csv");
        TrialRequested r = request("paced", "fashion-tops-4", 12, 3, 1);
        TrialCompleted now = ReplayRunner.load(real).run(r, "w");
        TrialCompleted paced = ReplayRunner.load(real).paced(0.01).run(r, "w");
        assertThat(paced).isEqualTo(now);
        assertThat(now.getStatus()).isEqualTo(TrialStatus.SUCCEEDED);
        // The recorded training time of epochs 2 and 3 is what the answer reports, paced or not.
        assertThat(now.getDurationMs()).isEqualTo(Math.round(ReplayRunner.load(real).seconds("fashion-tops-4", 12, 1, 3) * 1000));
        for (double bad : new double[]{-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReplayRunner.load(real).paced(bad))
                    .hasMessageContaining("pace must be a finite number >= 0");
        }
    }

    private static TrialRequested request(String id, String dataset, int config, int epochs, int resumeFrom) {
        return TrialRequested.newBuilder().setTrialId(id).setExperimentId("e").setDatasetId(dataset).setTenant("t")
                .setDatasetUri("/data/" + dataset).setDatasetFormat(DatasetFormat.IDX).setConfigId(config).setConfig(Map.of())
                .setEpochs(epochs).setBracket(0).setRung(0).setAttempt(0)
                .setResumeFromTrialId(resumeFrom > 0 ? "e-prev" : null).setResumeFromEpochs(resumeFrom).build();
    }
}
