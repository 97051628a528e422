package io.hyperstar.client;

import io.hyperstar.events.DatasetRegistered;
import io.hyperstar.events.DeadLetters;
import io.hyperstar.events.Strategy;
import io.hyperstar.events.TopicCreator;
import io.hyperstar.events.TopicScan;
import io.hyperstar.events.Topics;
import io.hyperstar.events.TrialRequested;
import io.hyperstar.testing.LocalKafka;
import io.hyperstar.testing.TestEvents;
import io.hyperstar.testing.TestScheduler;
import io.hyperstar.testing.TopicReader;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sending dead letters back, on a real broker with the real scheduler: the selected input goes back byte for byte,
 * the scheduler then acts on it, and sending it again changes nothing.
 */
class RedriveTests {

    @Test
    void aSelectionIsRequired() {
        assertThatThrownBy(() -> new Redrive.Selection(null, null, null, null, 10))
                .hasMessageContaining("say which dead letters to send back");
        assertThatThrownBy(() -> new Redrive.Selection("t", null, null, null, 0)).hasMessageContaining("--limit");
    }

    @Test
    void aRegistrationDeadLetteredByABugGoesBackAndIsActedOnOnceHoweverOftenItIsSent(@TempDir Path dir) throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            Topics topics = new Topics(Topics.Names.withPrefix("redrive-"));
            TopicCreator.create(bootstrap, topics, 3, (short) 1);
            String registered = topics.datasetRegistered.name();
            byte[] registration = topics.datasetRegistered.valueSerde().serializer().serialize(registered,
                    TestEvents.registration("rd-1", "ds-2", Strategy.HYPERBAND, 9, 3, 0));
            // What the roles wrote: a registration refused by a bug (the one to send back), a stray answer refused for a
            // reason a redrive does not fix, a refused input with no value, and one from a topic that is not the service's.
            try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
                letter(p, topics, registered, "rd-1", registration, "internal error: java.lang.IllegalStateException: store closed", "scheduler");
                letter(p, topics, topics.trialCompleted.name(), "rd-x", new byte[] {1, 2}, "unknown experiment rd-x for trial rd-x-b0-r0-c1", "scheduler");
                letter(p, topics, registered, "rd-2", null, "internal error: no value", "scheduler");
                letter(p, topics, "another-teams-topic", "rd-3", registration, "internal error: elsewhere", "scheduler");
            }

            Redrive.Selection bugs = new Redrive.Selection(null, "scheduler", "INTERNAL ERROR", null, 100);
            List<Redrive.Letter> selected = Redrive.select(bootstrap, topics, bugs);
            assertThat(selected).extracting(l -> new String(Redrive.bytes(l.letter().getKey()), StandardCharsets.UTF_8) + " " + l.skipped())
                    .containsExactlyInAnyOrder("rd-1 null", "rd-2 no payload (the input had no value)",
                            "rd-3 topic another-teams-topic is not one of this service's topics");
            String dry = Redrive.table(selected, true);
            assertThat(dry).contains("| would send |").contains("internal error: java.lang.IllegalStateException: store closed | yes |")
                    .contains("| no: no payload (the input had no value) |");
            assertThat(Redrive.select(bootstrap, topics, new Redrive.Selection(null, null, null, Instant.now().plusSeconds(3600), 100)))
                    .as("nothing was dead-lettered in the future").isEmpty();
            assertThat(readAll(bootstrap, registered)).as("selecting sends nothing").isEmpty();

            try (KafkaStreams scheduler = TestScheduler.create(bootstrap, topics, "redrive-scheduler", dir)) {
                scheduler.start();
                assertThat(Redrive.send(bootstrap, topics, selected)).isEqualTo(1);
                Redrive.Letter rd1 = selected.stream().filter(l -> l.skipped() == null).findFirst().orElseThrow();
                List<ConsumerRecord<byte[], byte[]>> back = readAll(bootstrap, registered);
                assertThat(back).singleElement().satisfies(r -> {
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("rd-1");
                    assertThat(r.value()).isEqualTo(registration);
                    assertThat(new String(r.headers().lastHeader(Redrive.REDRIVEN_FROM).value(), StandardCharsets.UTF_8))
                            .isEqualTo(topics.deadLetter.name() + "-" + rd1.partition() + "@" + rd1.offset());
                });
                List<TrialRequested> first = TopicReader.read(bootstrap, topics.trialRequested.name(),
                        topics.trialRequested.valueSerde().deserializer(), 9, Duration.ofSeconds(60));
                assertThat(first).as("the scheduler started the search").hasSize(9)
                        .allSatisfy(t -> assertThat(t.getExperimentId()).isEqualTo("rd-1"));

                // Again: the scheduler recognises the same registration. A search registered after it on the same
                // partition shows that the repeat has been read.
                assertThat(Redrive.send(bootstrap, topics, Redrive.select(bootstrap, topics, bugs))).isEqualTo(1);
                try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
                    p.send(new ProducerRecord<>(registered, back.get(0).partition(), "rd-after".getBytes(StandardCharsets.UTF_8),
                            topics.datasetRegistered.valueSerde().serializer().serialize(registered,
                                    TestEvents.registration("rd-after", "ds-2", Strategy.HYPERBAND, 9, 3, 0)))).get();
                }
                List<TrialRequested> all = TopicReader.read(bootstrap, topics.trialRequested.name(),
                        topics.trialRequested.valueSerde().deserializer(), 18, Duration.ofSeconds(60));
                assertThat(all).hasSize(18);
                assertThat(all).filteredOn(t -> t.getExperimentId().equals("rd-1")).as("rd-1 started once").hasSize(9);
                assertThat(TopicReader.read(bootstrap, topics.deadLetter.name(), topics.deadLetter.valueSerde().deserializer(),
                        5, Duration.ofSeconds(3))).as("no new dead letter: the repeat is ignored, not refused").hasSize(4);
            }
        }
    }

    private static void letter(KafkaProducer<byte[], byte[]> p, Topics topics, String source, String key, byte[] payload,
                               String reason, String role) throws Exception {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        p.send(new ProducerRecord<>(topics.deadLetter.name(), k, topics.deadLetter.valueSerde().serializer().serialize(
                topics.deadLetter.name(), DeadLetters.of(source, 0, 42, k, payload, reason, role)))).get();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = TopicScan.consumer(bootstrap)) {
            TopicScan.readToEnd(c, TopicScan.fromBeginning(c, topic, Duration.ofSeconds(10)), Duration.ofSeconds(30), out::add);
        }
        return out;
    }
}
