package io.hyperstar.events;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.ByteBuffer;

/** How every role records an input it refuses: where it came from, the bytes as received, and why. */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static DeadLetter of(String topic, int partition, long offset, byte[] key, byte[] payload, String reason, String role) {
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setPartition(partition)
                .setOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setPayload(payload == null ? null : ByteBuffer.wrap(payload))
                .setReason(reason == null ? "unreadable input" : reason)
                .setRole(role)
                .build();
    }

    /** The dead letter of a consumed record, ready to publish on the dead-letter topic under the record's own key. */
    public static ProducerRecord<byte[], byte[]> record(Topics topics, ConsumerRecord<byte[], byte[]> rec, String reason,
                                                        String role) {
        String topic = topics.deadLetter.name();
        return new ProducerRecord<>(topic, rec.key(), topics.deadLetter.valueSerde().serializer().serialize(topic,
                of(rec.topic(), rec.partition(), rec.offset(), rec.key(), rec.value(), reason, role)));
    }
}
