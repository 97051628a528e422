package io.hyperstar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hyperstar.catalog.TaskData;
import io.hyperstar.space.ConfigSpace;
import io.hyperstar.train.Backbone;
import io.hyperstar.train.HyperParams;
import io.hyperstar.train.Trainer;
import io.hyperstar.train.TrialResult;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Command that builds the meta-dataset: trains every configuration on every task to R epochs and records the
 * learning curves (format in docs/metadataset.md). Resumable: pairs already complete in curves.csv are skipped, and
 * each pair's rows are appended in one write, so an interrupted build loses at most the pair in flight.
 *
 * <pre>java io.hyperstar.bench.MetaDatasetBuilder [--preset full|tiny] [--data data] [--out DIR] [--epochs 27]
 *      [--tasks id,id] [--configs 0,1,2] [--threads N] [--max-pairs N]</pre>
 */
public final class MetaDatasetBuilder {

    public static final String TASKS = "tasks.csv";
    public static final String CONFIGS = "configs.csv";
    public static final String CURVES = "curves.csv";
    public static final String META = "metadataset.json";
    static final String CURVES_HEADER = "task_id,config_id,epoch,val_top1,test_top1,seconds";

    /** What to build; {@code maxPairs} stops early (tests, time-boxed runs). */
    public record Options(Path data, Path out, int epochs, List<String> tasks, List<Integer> configs, int threads,
                          int maxPairs, long seed) {
    }

    /** What a run did. */
    public record Summary(int pairsTotal, int pairsSkipped, int pairsTrained) {
    }

    private final ConfigSpace space;
    private final Trainer trainer;
    private final PrintStream log;

    public MetaDatasetBuilder(ConfigSpace space, Trainer trainer, PrintStream log) {
        this.space = space;
        this.trainer = trainer;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        // PyTorch reads its thread counts once, when the engine loads: set them before anything touches DJL.
        if (o.threads() > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(o.threads()));
            System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(o.threads()));
        }
        System.setProperty("ai.djl.offline", "true");
        new MetaDatasetBuilder(ConfigSpace.bundled(), new Trainer(), System.out).build(o);
    }

    static Options parse(String[] args) throws IOException {
        String preset = "full";
        Path data = Path.of("data");
        Path out = Path.of("src/main/resources/metadataset");
        Integer epochs = null;
        List<String> tasks = null;
        List<Integer> configs = null;
        int threads = 0;
        int maxPairs = Integer.MAX_VALUE;
        long seed = Trainer.DEFAULT_SEED;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--preset" -> preset = args[++i];
                case "--data" -> data = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                case "--tasks" -> tasks = Arrays.asList(args[++i].split(","));
                case "--configs" -> configs = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--max-pairs" -> maxPairs = Integer.parseInt(args[++i]);
                // Another trainer seed gives a replicate of every trial (other initialisation of the new layers,
                // other data order): how much of a ranking is the training run's luck.
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> available = availableTasks(data);
        int h = ConfigSpace.bundled().size();
        switch (preset) {
            case "full" -> {
                tasks = tasks != null ? tasks : roundRobin(available);
                configs = configs != null ? configs : range(h);
                epochs = epochs != null ? epochs : 27;
            }
            case "tiny" -> {
                tasks = tasks != null ? tasks : available.subList(0, Math.min(2, available.size()));
                configs = configs != null ? configs : List.of(0, h / 2, h - 1);
                epochs = epochs != null ? epochs : 2;
            }
            default -> throw new IllegalArgumentException("unknown preset " + preset + " (full, tiny)");
        }
        return new Options(data, out, epochs, tasks, configs, threads, maxPairs, seed);
    }

    /**
     * Interleaves tasks by family (the id up to its first dash), so that a build stopped part-way already covers
     * every domain: fashion-10, mnist-10, latin-..., then the second task of each family, and so on.
     */
    static List<String> roundRobin(List<String> ids) {
        Map<String, List<String>> families = new LinkedHashMap<>();
        for (String id : ids) {
            families.computeIfAbsent(id.split("-")[0], k -> new ArrayList<>()).add(id);
        }
        List<String> out = new ArrayList<>();
        for (int round = 0; out.size() < ids.size(); round++) {
            for (List<String> f : families.values()) {
                if (round < f.size()) {
                    out.add(f.get(round));
                }
            }
        }
        return out;
    }

    /** Task folders under {@code data/tasks} that hold a manifest, sorted by id. */
    static List<String> availableTasks(Path data) throws IOException {
        Path dir = data.resolve("tasks");
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + " does not exist; materialise the tasks first (io.hyperstar.catalog.Materializer)");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p.resolve(TaskData.MANIFEST)))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    public Summary build(Options o) throws IOException {
        Files.createDirectories(o.out());
        checkMeta(o);
        writeConfigs(o.out());
        Map<String, Integer> done = repairCurves(o.out().resolve(CURVES), o.epochs());
        int total = o.tasks().size() * o.configs().size();
        int skipped = 0;
        int trained = 0;
        long t0 = System.nanoTime();
        int pending = 0;
        for (String t : o.tasks()) {
            for (int c : o.configs()) {
                if (!done.containsKey(t + "," + c)) {
                    pending++;
                }
            }
        }
        Path scratch = Files.createTempDirectory("metadataset-ckpt");
        try {
            for (String taskId : o.tasks()) {
                TaskData task = null;
                for (int configId : o.configs()) {
                    if (done.containsKey(taskId + "," + configId)) {
                        skipped++;
                        continue;
                    }
                    if (trained >= o.maxPairs()) {
                        return new Summary(total, skipped, trained);
                    }
                    if (task == null) {
                        task = TaskData.load(o.data().resolve("tasks").resolve(taskId));
                        upsertTask(o.out().resolve(TASKS), task);
                    }
                    ConfigSpace.Config config = space.config(configId);
                    TrialResult r = trainer.run(task, configId, HyperParams.of(config), o.epochs(), Optional.empty(),
                            scratch, o.seed());
                    appendPair(o.out().resolve(CURVES), r);
                    trained++;
                    double elapsed = (System.nanoTime() - t0) / 1e9;
                    double perPair = elapsed / trained;
                    int left = pending - trained;
                    log.printf(Locale.ROOT, "[%d/%d] %-26s cfg %3d  val@%d %.3f  %5.1f s | %.1f pairs/min, ETA %s%n",
                            total - pending + trained, total, taskId, configId, o.epochs(), r.finalValTop1(),
                            r.totalSeconds(), 60 / perPair, duration(left * perPair));
                }
            }
        } finally {
            deleteTree(scratch);
        }
        return new Summary(total, skipped, trained);
    }

    /** The meta-dataset records the space, R and the backbone it was built with; a different one is refused. */
    private void checkMeta(Options o) throws IOException {
        ObjectMapper om = new ObjectMapper();
        Path meta = o.out().resolve(META);
        String backbone = Backbone.sha256(Backbone.bundledWeights());
        if (Files.exists(meta)) {
            JsonNode m = om.readTree(meta.toFile());
            if (!m.path("space_fingerprint").asText().equals(space.fingerprint())
                    || m.path("epochs").asInt() != o.epochs() || m.path("seed").asLong() != o.seed()
                    || !m.path("backbone_sha256").asText().equals(backbone)) {
                throw new IllegalStateException(meta + " was built with space " + m.path("space_fingerprint").asText()
                        + ", R=" + m.path("epochs").asInt() + ", seed " + m.path("seed").asLong() + ", backbone "
                        + m.path("backbone_sha256").asText() + "; this run has space " + space.fingerprint() + ", R="
                        + o.epochs() + ", seed " + o.seed() + ", backbone " + backbone
                        + ". Use another --out or remove the old files.");
            }
            return;
        }
        ObjectNode m = om.createObjectNode();
        m.put("space_fingerprint", space.fingerprint());
        m.put("epochs", o.epochs());
        m.put("seed", o.seed());
        m.put("batch_size", Trainer.BATCH_SIZE);
        m.put("backbone_sha256", backbone);
        writeAtomically(meta, om.writerWithDefaultPrettyPrinter().writeValueAsString(m) + "\n");
    }

    private void writeConfigs(Path out) throws IOException {
        StringBuilder sb = new StringBuilder("config_id");
        space.dimensions().forEach(d -> sb.append(',').append(d.name()));
        sb.append('\n');
        for (ConfigSpace.Config c : space.configs()) {
            sb.append(c.id());
            space.dimensions().forEach(d -> sb.append(',').append(c.get(d.name())));
            sb.append('\n');
        }
        writeAtomically(out.resolve(CONFIGS), sb.toString());
    }

    private static void upsertTask(Path file, TaskData t) throws IOException {
        Map<String, String> rows = new LinkedHashMap<>();
        String header = "task_id,source,classes,train,val,test,recipe";
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String l : lines.subList(1, lines.size())) {
                if (!l.isBlank()) {
                    rows.put(l.substring(0, l.indexOf(',')), l);
                }
            }
        }
        rows.put(t.id(), String.join(",", t.id(), t.source(), Integer.toString(t.numClasses()),
                Integer.toString(t.train().size()), Integer.toString(t.val().size()),
                Integer.toString(t.test().size()), '"' + t.recipe() + '"'));
        StringBuilder sb = new StringBuilder(header).append('\n');
        rows.keySet().stream().sorted().forEach(k -> sb.append(rows.get(k)).append('\n'));
        writeAtomically(file, sb.toString());
    }

    /**
     * Reads curves.csv and keeps only complete pairs (all of epochs 1..R): a crash mid-append leaves a torn last line
     * or a partial pair, which is dropped here and retrained. Returns the complete pairs as "task,config" -> rows.
     */
    static Map<String, Integer> repairCurves(Path file, int epochs) throws IOException {
        Map<String, Integer> complete = new HashMap<>();
        if (!Files.exists(file)) {
            writeAtomically(file, CURVES_HEADER + "\n");
            return complete;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
        boolean torn = !text.endsWith("\n");
        lines.remove(lines.size() - 1); // the text after the last newline: empty, or a torn line
        if (lines.isEmpty() || !lines.get(0).equals(CURVES_HEADER)) {
            throw new IOException(file + ": not a curves file (header must be '" + CURVES_HEADER + "')");
        }
        Map<String, List<String>> byPair = new LinkedHashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            if (f.length != 6) {
                torn = true;
                continue;
            }
            byPair.computeIfAbsent(f[0] + "," + f[1], k -> new ArrayList<>()).add(l);
        }
        StringBuilder kept = new StringBuilder(CURVES_HEADER).append('\n');
        boolean dropped = torn;
        for (Map.Entry<String, List<String>> e : byPair.entrySet()) {
            List<String> rows = e.getValue();
            boolean ok = rows.size() == epochs;
            for (int i = 0; ok && i < rows.size(); i++) {
                ok = rows.get(i).split(",")[2].equals(Integer.toString(i + 1));
            }
            if (ok) {
                complete.put(e.getKey(), rows.size());
                rows.forEach(r -> kept.append(r).append('\n'));
            } else {
                dropped = true;
            }
        }
        if (dropped) {
            writeAtomically(file, kept.toString());
        }
        return complete;
    }

    /** One pair's rows in a single appended write, forced to disk before the next pair starts. */
    private static void appendPair(Path file, TrialResult r) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int e = 0; e < r.epochs(); e++) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%.4f,%.4f,%.3f%n", r.taskId(), r.configId(), e + 1,
                    r.valTop1().get(e), r.testTop1().get(e), r.seconds().get(e)));
        }
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8)));
            ch.force(false);
        }
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
