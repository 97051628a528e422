package io.hyperstar.events;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every event type stays readable across versions: each released schema against every later one. */
class SchemaCompatibilityTests {

    static List<Class<? extends SpecificRecordBase>> eventTypes() {
        return List.of(DatasetRegistered.class, RankingComputed.class, TrialRequested.class, TrialCompleted.class,
                ExperimentCompleted.class, MetaDatasetRecord.class, ModelPublished.class, DeadLetter.class, CancelRequested.class,
                Admission.class);
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    <T extends SpecificRecordBase> void currentSchemaIsTheNewestReleasedVersion(Class<T> type) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        List<Schema> history = serde.historicalSchemas();
        assertThat(history).as("schemas/history/%s.v*.avsc", type.getSimpleName()).isNotEmpty();
        // A change to schemas/X.avsc must be released as a new history version, or it is never checked below.
        Schema contract = AvroSerde.parseResource(type.getSimpleName(), "/schemas/" + type.getSimpleName() + ".avsc");
        assertThat(history.get(history.size() - 1)).isEqualTo(contract);
        // And the classes the service runs on are generated from that contract.
        assertThat(org.apache.avro.SchemaNormalization.parsingFingerprint64(serde.schema()))
                .isEqualTo(org.apache.avro.SchemaNormalization.parsingFingerprint64(contract));
    }

    @ParameterizedTest
    @MethodSource("eventTypes")
    <T extends SpecificRecordBase> void everyVersionReadsAndIsReadByEveryLaterOne(Class<T> type) {
        List<Schema> history = new AvroSerde<>(type).historicalSchemas();
        for (int older = 0; older < history.size(); older++) {
            for (int newer = older + 1; newer < history.size(); newer++) {
                var backward = SchemaCompatibility.checkReaderWriterCompatibility(history.get(newer), history.get(older));
                var forward = SchemaCompatibility.checkReaderWriterCompatibility(history.get(older), history.get(newer));
                assertThat(backward.getType()).as("v%d reads v%d of %s: %s", newer + 1, older + 1, type.getSimpleName(), backward.getDescription())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
                assertThat(forward.getType()).as("v%d reads v%d of %s: %s", older + 1, newer + 1, type.getSimpleName(), forward.getDescription())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            }
        }
    }

    @Test
    void anEventWrittenWithTheFirstTrialCompletedSchemaIsStillRead() throws Exception {
        Schema v1 = AvroSerde.history("TrialCompleted").get(0);
        assertThat(v1.getField("worker")).isNull();
        GenericRecord old = new GenericData.Record(v1);
        old.put("trialId", "e-b2-r0-c7");
        old.put("experimentId", "e");
        old.put("status", new GenericData.EnumSymbol(v1.getField("status").schema(), "SUCCEEDED"));
        old.put("top1", 0.81);
        old.put("curve", List.of(0.5, 0.81));
        old.put("epochsTrained", 2);
        old.put("durationMs", 1200L);
        old.put("error", null);
        ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);

        TrialCompleted read = new AvroSerde<>(TrialCompleted.class).decode(bytes.array());
        assertThat(read.getTop1()).isEqualTo(0.81);
        assertThat(read.getCurve()).containsExactly(0.5, 0.81);
        assertThat(read.getWorker()).isEqualTo("unknown");
    }

    @Test
    void aRankingWrittenWithTheFirstSchemaIsStillReadWithNoNearestTasks() throws Exception {
        Schema v1 = AvroSerde.history("RankingComputed").get(0);
        assertThat(v1.getField("nearestTasks")).isNull();
        GenericRecord old = new GenericData.Record(v1);
        old.put("experimentId", "e");
        old.put("datasetId", "d");
        old.put("ok", true);
        old.put("error", null);
        old.put("modelVersion", "m1");
        old.put("configSpaceFingerprint", "f");
        old.put("ranking", List.of(2, 0, 1));
        old.put("scores", List.of(0.1, 0.0, 0.3));
        old.put("embedding", List.of(0.5f));
        old.put("millis", 90L);
        old.put("device", "cpu()");
        ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);

        RankingComputed read = new AvroSerde<>(RankingComputed.class).decode(bytes.array());
        assertThat(read.getRanking()).containsExactly(2, 0, 1);
        assertThat(read.getNearestTasks()).isEmpty();
    }

    @Test
    void wireFormatIsSingleObjectEncodingWithTheSchemaFingerprint() {
        AvroSerde<DeadLetter> serde = new AvroSerde<>(DeadLetter.class);
        DeadLetter dl = DeadLetter.newBuilder().setSourceTopic("t").setPartition(0).setOffset(1).setReason("r").setRole("scheduler").build();
        byte[] bytes = serde.encode(dl);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = org.apache.avro.SchemaNormalization.parsingFingerprint64(DeadLetter.getClassSchema());
        assertThat(ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong()).isEqualTo(fingerprint);
        assertThat(serde.decode(bytes)).isEqualTo(dl);
    }

    @Test
    void garbageIsRefusedWithAReadableReason() {
        AvroSerde<TrialCompleted> serde = new AvroSerde<>(TrialCompleted.class);
        assertThatThrownBy(() -> serde.decode("{\"trialId\": \"json is not avro\"}".getBytes()))
                .isInstanceOf(SerializationException.class).hasMessageContaining("not a readable TrialCompleted");
        byte[] wrongType = new AvroSerde<>(DeadLetter.class).encode(DeadLetter.newBuilder().setSourceTopic("t")
                .setPartition(0).setOffset(1).setReason("r").setRole("x").build());
        assertThatThrownBy(() -> serde.decode(wrongType)).isInstanceOf(SerializationException.class);
    }
}
