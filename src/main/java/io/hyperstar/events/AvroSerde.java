package io.hyperstar.events;

import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka serde for one event type in Avro single-object encoding (a 10-byte header carrying the writer
 * schema's fingerprint, then Avro binary). Every released version of the type, kept in
 * {@code schemas/history/}, is preloaded, so events written by older producers stay readable without a
 * schema registry.
 */
public final class AvroSerde<T extends SpecificRecordBase> implements Serde<T> {

    private final Class<T> type;
    private final Schema schema;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;
    private final List<Schema> history;

    public AvroSerde(Class<T> type) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        this.schema = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, schema);
        this.decoder = new BinaryMessageDecoder<>(model, schema);
        this.history = history(type.getSimpleName());
        history.forEach(decoder::addSchema);
    }

    /** The released versions of an event type, oldest first: {@code schemas/history/<Name>.v<N>.avsc}. */
    public static List<Schema> history(String recordName) {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            Schema s = parseResource(recordName, "/schemas/history/" + recordName + ".v" + v + ".avsc");
            if (s == null) {
                return versions;
            }
            versions.add(s);
        }
    }

    /** Parses a schema file shipped on the classpath, or returns null when there is none. */
    public static Schema parseResource(String recordName, String resource) {
        try (InputStream in = AvroSerde.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Schema.Parser parser = new Schema.Parser().setValidateDefaults(true);
            if (!recordName.equals(DatasetRegistered.class.getSimpleName())) {
                // Enums defined in DatasetRegistered.avsc are referenced by name from other event types.
                parser.addTypes(List.of(DatasetFormat.getClassSchema(), Strategy.getClassSchema()));
            }
            return parser.parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return schema;
    }

    public List<Schema> historicalSchemas() {
        return history;
    }

    public byte[] encode(T value) {
        try {
            return encoder.encode(value).array();
        } catch (IOException e) {
            throw new SerializationException("cannot encode " + type.getSimpleName(), e);
        }
    }

    /** Decodes bytes of any known version; throws {@link SerializationException} with a readable reason otherwise. */
    public T decode(byte[] bytes) {
        if (bytes == null) {
            throw new SerializationException("empty value (null) where a " + type.getSimpleName() + " was expected");
        }
        try {
            return decoder.decode(bytes);
        } catch (Exception e) {
            throw new SerializationException("not a readable " + type.getSimpleName() + " (Avro single-object encoding): "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, data) -> data == null ? null : encode(data);
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, data) -> data == null ? null : decode(data);
    }
}
