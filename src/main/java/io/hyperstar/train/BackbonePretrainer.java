package io.hyperstar.train;

import io.hyperstar.catalog.TaskData;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Command that pre-trains the backbone on the source task (Latin lowercase glyphs from fonts no target task uses)
 * and writes its conv weights with a SHA-256 file, by default into {@code src/main/resources/backbone/}.
 *
 * <pre>java io.hyperstar.train.BackbonePretrainer [--data data] [--epochs 12] [--out src/main/resources/backbone]</pre>
 */
public final class BackbonePretrainer {

    private BackbonePretrainer() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("data");
        Path out = Path.of("src/main/resources/backbone");
        int epochs = 12;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--epochs" -> epochs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.setProperty("ai.djl.offline", "true");
        // Conv weights start from the engine's random generator: seed it so the backbone can be retrained as is.
        ai.djl.engine.Engine.getInstance().setRandomSeed(1);
        TaskData source = TaskData.load(data.resolve("source/source-latin-lower"));
        Path ckpt = Files.createTempDirectory("backbone-pretrain");
        HyperParams hp = new HyperParams(0.002f, "adam", Backbone.LAYERS, "shift");
        TrialResult r = new Trainer(null).run(source, -1, hp, epochs, Optional.empty(), ckpt, 1);
        for (int e = 0; e < r.epochs(); e++) {
            System.out.printf("epoch %2d  val %.3f  test %.3f  %.1f s%n", e + 1, r.valTop1().get(e),
                    r.testTop1().get(e), r.seconds().get(e));
        }
        byte[] weights = Trainer.backboneOf(ckpt, source.numClasses());
        Files.createDirectories(out);
        Path file = out.resolve("backbone.params");
        Files.write(file, weights);
        Files.writeString(out.resolve("backbone.params.sha256"),
                Backbone.sha256(weights) + "  backbone.params\n", StandardCharsets.US_ASCII);
        System.out.println("wrote " + file + " (" + weights.length + " bytes), source val top-1 "
                + r.finalValTop1());
    }
}
