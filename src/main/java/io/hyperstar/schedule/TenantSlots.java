package io.hyperstar.schedule;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One tenant's searches under its quota: those holding a slot, and those waiting for one, first come first. Kept by
 * the tenant-keyed half of the scheduler ({@link TenantAdmissionProcessor}); every change is idempotent, since Kafka may
 * deliver a request or a release twice.
 */
final class TenantSlots {

    final List<String> running = new ArrayList<>();
    final List<String> queued = new ArrayList<>();

    /** Queues the search unless it already holds a slot or a place. */
    void request(String experimentId) {
        if (!running.contains(experimentId) && !queued.contains(experimentId)) {
            queued.add(experimentId);
        }
    }

    /** The search ended: its slot, or its place in the queue, is free. */
    void release(String experimentId) {
        running.remove(experimentId);
        queued.remove(experimentId);
    }

    /** Gives slots to the first queued searches while the limit allows (0 = no limit); returns the searches admitted. */
    List<String> admit(int limit) {
        List<String> admitted = new ArrayList<>();
        while (!queued.isEmpty() && (limit == 0 || running.size() < limit)) {
            String id = queued.remove(0);
            running.add(id);
            admitted.add(id);
        }
        return admitted;
    }

    boolean isEmpty() {
        return running.isEmpty() && queued.isEmpty();
    }

    /** Internal state, never a contract: a version byte, then both lists. */
    static final Serde<TenantSlots> SERDE = Serdes.serdeFrom(
            (topic, s) -> s == null ? null : write(s),
            (topic, bytes) -> bytes == null ? null : read(bytes));
    private static final byte VERSION = 1;

    private static byte[] write(TenantSlots s) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            for (List<String> list : List.of(s.running, s.queued)) {
                out.writeInt(list.size());
                for (String id : list) {
                    out.writeUTF(id);
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot write a tenant's slots", e);
        }
    }

    private static TenantSlots read(byte[] bytes) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("tenant slots of layout " + version + " (this release reads " + VERSION + ")");
            }
            TenantSlots s = new TenantSlots();
            for (List<String> list : List.of(s.running, s.queued)) {
                for (int n = in.readInt(); n > 0; n--) {
                    list.add(in.readUTF());
                }
            }
            return s;
        } catch (IOException e) {
            throw new SerializationException("cannot read a tenant's slots", e);
        }
    }
}
