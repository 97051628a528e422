package io.hyperstar.model;

import ai.djl.MalformedModelException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hyperstar.events.ModelPublished;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.train.Backbone;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;

/**
 * A trained model on disk: {@code hyperstar.params} (DJL parameters), {@code model.json} (what it is and what it
 * was trained on, with the parameters' SHA-256) and, for a model with the neighbour readout, {@code memory.json}
 * (its {@link TaskMemory}, with its own SHA-256 in the metadata). Loading refuses a corrupt file or a model of
 * another space.
 */
public final class ModelArtifact {

    public static final String PARAMS = "hyperstar.params";
    public static final String METADATA = "model.json";
    public static final String MEMORY = "memory.json";
    public static final int FORMAT = 1;

    /**
     * What a model is: {@code version} names it to the service (e.g. "2026-11-27T05:00Z-bm"); {@code validationAp10}
     * is the mean held-out AP@10 the meta-learner gated it on (null when not measured); {@code memorySha256} is
     * the checksum of {@code memory.json}, null for a model that ranks with its predictor head (the paper's readout).
     */
    public record Metadata(int format, String version, String spaceFingerprint, Architecture architecture,
                           String variant, List<String> tasks, int records, Double validationAp10,
                           String paramsSha256, String createdAt, String memorySha256) {

        public Metadata withChecksums(String params, String memory) {
            return new Metadata(format, version, spaceFingerprint, architecture, variant, tasks, records,
                    validationAp10, params, createdAt, memory);
        }
    }

    /** The order of model announcements: the later publication is the newer, the greater version breaks a tie. */
    public static final Comparator<ModelPublished> ANNOUNCED = Comparator.comparing(ModelPublished::getPublishedAtMs)
            .thenComparing(ModelPublished::getVersion);

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            // A memory may hold NaN (a configuration a training task has no result for).
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS.mappedFeature());

    private ModelArtifact() {
    }

    /** Writes the parameters, then the metadata with their checksum; each file is replaced atomically. */
    public static Metadata save(HyperStarModel model, Metadata metadata, Path dir) throws IOException {
        if (!metadata.spaceFingerprint().equals(model.space().fingerprint())) {
            throw new IllegalArgumentException("metadata names space " + metadata.spaceFingerprint()
                    + " but the model was built for " + model.space().fingerprint());
        }
        Files.createDirectories(dir);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            model.net().saveParameters(out);
        }
        byte[] params = bytes.toByteArray();
        byte[] memory = model.memory().isPresent() ? JSON.writeValueAsBytes(model.memory().get()) : null;
        Metadata full = metadata.withChecksums(Backbone.sha256(params), memory == null ? null : Backbone.sha256(memory));
        write(dir.resolve(PARAMS), params);
        if (memory != null) {
            write(dir.resolve(MEMORY), memory);
        } else {
            Files.deleteIfExists(dir.resolve(MEMORY));
        }
        write(dir.resolve(METADATA), JSON.writeValueAsBytes(full));
        return full;
    }

    public static Metadata readMetadata(Path dir) throws IOException {
        return JSON.readValue(dir.resolve(METADATA).toFile(), Metadata.class);
    }

    /** Loads a saved model for {@code space}, verifying the format, the space fingerprint and the checksum. */
    public static HyperStarModel load(Path dir, ConfigSpace space) throws IOException {
        Metadata meta = readMetadata(dir);
        if (meta.format() != FORMAT) {
            throw new IOException(dir + ": model format " + meta.format() + " is not supported (expected " + FORMAT
                    + ")");
        }
        if (!space.fingerprint().equals(meta.spaceFingerprint())) {
            throw new IOException(dir + ": model was trained for configuration space " + meta.spaceFingerprint()
                    + ", this service uses " + space.fingerprint());
        }
        byte[] params = readVerified(dir.resolve(PARAMS), meta.paramsSha256());
        TaskMemory memory = meta.memorySha256() == null ? null
                : JSON.readValue(readVerified(dir.resolve(MEMORY), meta.memorySha256()), TaskMemory.class);
        HyperStarModel model = HyperStarModel.create(space, meta.architecture());
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(params))) {
            model.net().loadParameters(model.manager(), in);
            model.useMemory(memory);
            // A loaded model ranks: parameters without gradients, so no thread builds an autograd graph.
            model.net().freezeParameters(true);
            return model;
        } catch (MalformedModelException | IOException | RuntimeException e) {
            model.close();
            throw new IOException(dir.resolve(PARAMS) + ": cannot load parameters: " + e.getMessage(), e);
        }
    }

    /**
     * The directory of a model announced on model-published, checked against its announcement: the URI is an
     * absolute path or file: URI of an artifact directory, its model.json has the announced SHA-256 (model.json holds
     * the checksums of the other files, which {@link #load} verifies), and it is the announced version for this space.
     */
    public static Path checkAnnounced(ModelPublished ev, ConfigSpace space) throws IOException {
        Path dir;
        try {
            dir = ev.getUri().startsWith("file:") ? Path.of(URI.create(ev.getUri())) : Path.of(ev.getUri());
        } catch (RuntimeException e) {
            throw new IOException("model URI " + ev.getUri() + " is not a path or file: URI (" + e.getMessage() + ")");
        }
        if (!dir.isAbsolute()) {
            throw new IOException("model URI " + ev.getUri() + " is not an absolute path");
        }
        Path json = dir.resolve(METADATA);
        if (!Files.isRegularFile(json)) {
            throw new IOException(Files.isDirectory(dir) ? json + " does not exist"
                    : "model directory " + dir + " does not exist");
        }
        String actual = metadataSha256(dir);
        if (!actual.equalsIgnoreCase(ev.getSha256())) {
            throw new IOException(json + " has SHA-256 " + actual + ", the announcement says " + ev.getSha256());
        }
        if (!space.fingerprint().equals(ev.getConfigSpaceFingerprint())) {
            throw new IOException("model scores configuration space " + ev.getConfigSpaceFingerprint()
                    + ", this service uses " + space.fingerprint());
        }
        // Rankings carry the version from model.json; it must be the one announced.
        String version = readMetadata(dir).version();
        if (!ev.getVersion().equals(version)) {
            throw new IOException(json + " names version " + version + ", the announcement " + ev.getVersion());
        }
        return dir;
    }

    /**
     * The SHA-256 of an artifact's {@code model.json}: what a model announcement carries. The metadata holds the
     * checksums of the other files, so this one vouches for the whole artifact.
     */
    public static String metadataSha256(Path dir) throws IOException {
        return Backbone.sha256(Files.readAllBytes(dir.resolve(METADATA)));
    }

    /** The file's bytes, refused when their SHA-256 is not the one the metadata recorded. */
    private static byte[] readVerified(Path file, String sha256) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String actual = Backbone.sha256(bytes);
        if (!actual.equalsIgnoreCase(sha256)) {
            throw new IOException(file + " is corrupt: SHA-256 " + actual + ", expected " + sha256);
        }
        return bytes;
    }

    private static void write(Path target, byte[] data) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        Files.write(tmp, data);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
