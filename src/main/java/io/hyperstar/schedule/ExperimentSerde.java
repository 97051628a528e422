package io.hyperstar.schedule;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperstar.hyperband.Experiment;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/**
 * JSON for experiment state in the scheduler's store and its changelog. The state is internal (never a
 * contract with other teams), so readable JSON that tolerates added fields is enough.
 */
public final class ExperimentSerde implements Serde<Experiment> {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    @Override
    public Serializer<Experiment> serializer() {
        return (topic, e) -> {
            try {
                return e == null ? null : JSON.writeValueAsBytes(e);
            } catch (IOException ex) {
                throw new SerializationException("cannot write experiment state", ex);
            }
        };
    }

    @Override
    public Deserializer<Experiment> deserializer() {
        return (topic, bytes) -> {
            try {
                return bytes == null ? null : JSON.readValue(bytes, Experiment.class);
            } catch (IOException ex) {
                throw new SerializationException("cannot read experiment state", ex);
            }
        };
    }
}
