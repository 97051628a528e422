package io.hyperstar.worker;

import io.hyperstar.catalog.TaskData;
import io.hyperstar.catalog.TestTasks;
import io.hyperstar.events.DatasetFormat;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialCompleted;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.events.TrialStatus;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.testing.KafkaBroker;
import io.hyperstar.testing.TopicReader;
import io.hyperstar.train.Trainer;
import io.hyperstar.train.TrialResult;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The reference worker in train mode on a real broker: real DJL fine-tuning, resumes, and every bad request. */
class TrainWorkerTests {

    private static final Topics TOPICS = new Topics(Topics.Names.withPrefix("train-"));
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withTopics(TOPICS, 1);
    private static final ConfigSpace SPACE = ConfigSpace.bundled();

    @TempDir
    static Path dir;

    @Test
    void trainsResumesAndAnswersBadRequestsWithTheirReason() throws Exception {
        Path data = dir.resolve("data");
        TestTasks.materialise(data, "shapes-4", 4, TaskData.Format.IDX, 3);
        Path task = data.resolve("tasks").resolve("shapes-4");
        // A corrupt dataset: its training images cut short.
        TestTasks.materialise(data, "broken", 4, TaskData.Format.IDX, 4);
        Path images = data.resolve("tasks/broken/train-images-idx3-ubyte.gz");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path outside = dir.resolve("elsewhere");
        TestTasks.materialise(outside, "shapes-4", 4, TaskData.Format.IDX, 3);

        Trainer trainer = new Trainer();
        TrainRunner runner = new TrainRunner(trainer, SPACE, List.of(data), dir.resolve("checkpoints"), 50);
        int config = 5;
        List<TrialRequested> requests = List.of(
                request("t-r0", task.toString(), config, 1, null, 0),
                request("t-r1", task.toUri().toString(), config, 3, "t-r0", 1),
                request("t-missing", data.resolve("tasks/nope").toString(), config, 1, null, 0),
                request("t-outside", outside.resolve("tasks/shapes-4").toString(), config, 1, null, 0),
                request("t-escape", data.resolve("../elsewhere/tasks/shapes-4").toString(), config, 1, null, 0),
                request("t-corrupt", data.resolve("tasks/broken").toString(), config, 1, null, 0),
                request("t-zero", task.toString(), config, 0, null, 0),
                request("t-huge", task.toString(), config, 5000, null, 0),
                request("t-no-checkpoint", task.toString(), config, 3, "t-never-ran", 1));
        try (TrialWorker worker = new TrialWorker(kafka.bootstrapServers(), TOPICS, runner, "trainer-1", "train-workers", Duration.ofMinutes(10))) {
            Thread t = new Thread(worker);
            t.start();
            try (KafkaProducer<String, TrialRequested> producer = new KafkaProducer<>(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                    Serdes.String().serializer(), TOPICS.trialRequested.valueSerde().serializer())) {
                for (TrialRequested r : requests) {
                    producer.send(new ProducerRecord<>(TOPICS.trialRequested.name(), "e", r));
                }
            }
            List<TrialCompleted> answers = TopicReader.read(kafka.bootstrapServers(), TOPICS.trialCompleted.name(),
                    TOPICS.trialCompleted.valueSerde().deserializer(), requests.size(), Duration.ofMinutes(3));
            worker.close();
            t.join(30_000);

            assertThat(answers).extracting(TrialCompleted::getTrialId).containsExactlyElementsOf(requests.stream().map(TrialRequested::getTrialId).toList());
            // The promoted trial continued the first one's checkpoint: the same curve as three epochs straight.
            TrialResult straight = trainer.run(TaskData.load(task), SPACE.config(config), 3, Optional.empty(), dir.resolve("straight"));
            assertThat(answers.get(0).getStatus()).isEqualTo(TrialStatus.SUCCEEDED);
            assertThat(answers.get(0).getCurve()).containsExactly(straight.valTop1().get(0));
            assertThat(answers.get(1).getStatus()).isEqualTo(TrialStatus.SUCCEEDED);
            assertThat(answers.get(1).getEpochsTrained()).isEqualTo(2);
            assertThat(answers.get(1).getCurve()).isEqualTo(straight.valTop1().subList(1, 3));
            assertThat(answers.get(1).getTop1()).isEqualTo(straight.finalValTop1());
            assertThat(answers.get(2).getError()).contains("does not exist");
            assertThat(answers.get(3).getError()).contains("outside the configured data roots");
            assertThat(answers.get(4).getError()).contains("outside the configured data roots");
            assertThat(answers.get(5).getError()).contains("unreadable dataset");
            assertThat(answers.get(6).getError()).contains("budget of 0 epochs is outside 1..50");
            assertThat(answers.get(7).getError()).contains("budget of 5000 epochs is outside 1..50");
            assertThat(answers.get(8).getError()).contains("no checkpoint of trial t-never-ran");
            assertThat(answers.subList(2, answers.size())).allSatisfy(a -> assertThat(a.getStatus()).isEqualTo(TrialStatus.FAILED));
        }
    }

    @Test
    void aTrialWhoseSearchIsCancelledWhileItTrainsStopsAtTheNextEpochAndSaysSo() throws Exception {
        Path data = dir.resolve("data-cancel");
        TestTasks.materialise(data, "shapes-4", 4, TaskData.Format.IDX, 3);
        TrainRunner runner = new TrainRunner(new Trainer(), SPACE, List.of(data), dir.resolve("checkpoints-cancel"), 50);
        TrialCompleted answer = runner.run(request("t-cancel", data.resolve("tasks/shapes-4").toString(), 5, 5, null, 0),
                "trainer-2", () -> true);
        assertThat(answer.getStatus()).isEqualTo(TrialStatus.FAILED);
        assertThat(answer.getError()).isEqualTo("stopped after 1 of 5 epochs: the search was cancelled");
        assertThat(dir.resolve("checkpoints-cancel/t-cancel")).as("no checkpoint to resume from").doesNotExist();
    }

    private static TrialRequested request(String id, String uri, int config, int epochs, String resumeFrom, int resumeEpochs) {
        return TrialRequested.newBuilder().setTrialId(id).setExperimentId("e").setDatasetId("shapes-4").setTenant("t")
                .setDatasetUri(uri).setDatasetFormat(DatasetFormat.IDX).setConfigId(config).setConfig(SPACE.config(config).values())
                .setEpochs(epochs).setBracket(0).setRung(resumeFrom == null ? 0 : 1).setAttempt(0)
                .setResumeFromTrialId(resumeFrom).setResumeFromEpochs(resumeEpochs).build();
    }
}
