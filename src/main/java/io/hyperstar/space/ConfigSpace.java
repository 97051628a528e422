package io.hyperstar.space;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hyperparameter grid, defined once in {@code config-space.json} and read by every role, so a
 * configuration id means the same thing to the scheduler, the worker, the model and the meta-dataset.
 */
public final class ConfigSpace {

    public static final String RESOURCE = "/config-space.json";

    /** One hyperparameter and its allowed values, in file order. */
    public record Dimension(String name, List<String> values) {
        public Dimension {
            values = List.copyOf(values);
        }
    }

    /** One grid point: its stable id and the value of each dimension. */
    public record Config(int id, Map<String, String> values) {
        public Config {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        public String get(String dimension) {
            String v = values.get(dimension);
            if (v == null) {
                throw new IllegalArgumentException("no dimension '" + dimension + "' in configuration " + id);
            }
            return v;
        }
    }

    private final List<Dimension> dimensions;
    private final List<Config> configs;
    private final String fingerprint;

    public ConfigSpace(List<Dimension> dimensions) {
        if (dimensions.isEmpty()) {
            throw new IllegalArgumentException("a configuration space needs at least one dimension");
        }
        this.dimensions = List.copyOf(dimensions);
        this.configs = grid(this.dimensions);
        this.fingerprint = fingerprint(this.dimensions);
    }

    /** The space bundled with the service. */
    public static ConfigSpace bundled() {
        try (InputStream in = ConfigSpace.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ConfigSpace parse(InputStream json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json);
        List<Dimension> dims = new ArrayList<>();
        for (JsonNode d : root.path("dimensions")) {
            List<String> values = new ArrayList<>();
            d.path("values").forEach(v -> values.add(v.asText()));
            if (values.isEmpty()) {
                throw new IllegalArgumentException("dimension " + d.path("name").asText() + " has no values");
            }
            dims.add(new Dimension(d.path("name").asText(), values));
        }
        return new ConfigSpace(dims);
    }

    public List<Dimension> dimensions() {
        return dimensions;
    }

    public List<Config> configs() {
        return configs;
    }

    public int size() {
        return configs.size();
    }

    public Config config(int id) {
        if (id < 0 || id >= configs.size()) {
            throw new IllegalArgumentException("configuration id " + id + " is outside 0.." + (configs.size() - 1));
        }
        return configs.get(id);
    }

    /** The grid's shape: each dimension's number of values, in file order (ids are row-major over it). */
    public List<Integer> shape() {
        return dimensions.stream().map(d -> d.values().size()).toList();
    }

    /** Length of {@link #oneHot}: the sum of the dimensions' sizes. */
    public int encodingWidth() {
        return dimensions.stream().mapToInt(d -> d.values().size()).sum();
    }

    /** One-hot per dimension, concatenated in dimension order: the configuration encoder's input. */
    public float[] oneHot(int id) {
        Config c = config(id);
        float[] out = new float[encodingWidth()];
        int offset = 0;
        for (Dimension d : dimensions) {
            out[offset + d.values().indexOf(c.get(d.name()))] = 1f;
            offset += d.values().size();
        }
        return out;
    }

    /** SHA-256 over the dimensions and values; a model or meta-dataset built for another space is refused. */
    public String fingerprint() {
        return fingerprint;
    }

    private static List<Config> grid(List<Dimension> dims) {
        int total = 1;
        for (Dimension d : dims) {
            total = Math.multiplyExact(total, d.values().size());
        }
        List<Config> out = new ArrayList<>(total);
        for (int id = 0; id < total; id++) {
            Map<String, String> values = new LinkedHashMap<>();
            int rest = id;
            // Row-major: the last dimension varies fastest, so ids stay stable when read in file order.
            int[] idx = new int[dims.size()];
            for (int k = dims.size() - 1; k >= 0; k--) {
                int n = dims.get(k).values().size();
                idx[k] = rest % n;
                rest /= n;
            }
            for (int k = 0; k < dims.size(); k++) {
                values.put(dims.get(k).name(), dims.get(k).values().get(idx[k]));
            }
            out.add(new Config(id, values));
        }
        return List.copyOf(out);
    }

    private static String fingerprint(List<Dimension> dims) {
        StringBuilder canonical = new StringBuilder();
        for (Dimension d : dims) {
            canonical.append(d.name()).append('=').append(String.join(",", d.values())).append(';');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
