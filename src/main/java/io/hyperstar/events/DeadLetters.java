package io.hyperstar.events;

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
}
