package io.hyperstar.testing;

import io.hyperstar.hyperband.Simulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Learning curves from test resources ({@code dataset,config,epoch,top1}): synthetic, seeded curves that
 * differ per dataset and cross over, used by test workers to answer trials.
 */
public final class CurveTable {

    private final Map<String, Double> top1 = new HashMap<>();

    public static CurveTable synthetic() {
        return load("/curves/synthetic-curves.csv");
    }

    public static CurveTable load(String resource) {
        CurveTable t = new CurveTable();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                CurveTable.class.getResourceAsStream(resource), StandardCharsets.UTF_8))) {
            r.readLine();
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split(",");
                t.top1.put(f[0] + "/" + f[1] + "/" + f[2], Double.parseDouble(f[3]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }

    public double top1(String dataset, int config, int epoch) {
        Double v = top1.get(dataset + "/" + config + "/" + epoch);
        if (v == null) {
            throw new IllegalArgumentException("no curve point for " + dataset + " config " + config + " epoch " + epoch);
        }
        return v;
    }

    public Simulator.Curves forDataset(String dataset) {
        return (config, epochs) -> top1(dataset, config, epochs);
    }
}
