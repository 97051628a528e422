package io.hyperstar.schedule;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hyperstar.hyperband.Experiment;
import io.hyperstar.hyperband.Hyperband;
import io.hyperstar.hyperband.Trial;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import java.io.IOException;

/**
 * JSON for experiment state in the scheduler's store and its changelog. The state is internal (never a
 * contract with other teams). It is written on every result, so it is kept small: the plan is recomputed
 * from the request instead of stored, trials are written as arrays, and empty fields are left out.
 */
public final class ExperimentSerde implements Serde<Experiment> {

    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .addMixIn(Experiment.class, ExperimentLayout.class)
            .addMixIn(Trial.class, TrialLayout.class);

    @JsonIgnoreProperties(value = "plan", ignoreUnknown = true)
    private abstract static class ExperimentLayout {
    }

    /** Positional, in a fixed order: field names made up most of the bytes of a trial. */
    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder(alphabetic = true)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    private abstract static class TrialLayout {
    }

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
                if (bytes == null) {
                    return null;
                }
                Experiment e = JSON.readValue(bytes, Experiment.class);
                e.plan = Hyperband.plan(e.spec.maxEpochsPerTrial(), e.spec.eta(), e.spaceSize);
                return e;
            } catch (IOException ex) {
                throw new SerializationException("cannot read experiment state", ex);
            }
        };
    }
}
