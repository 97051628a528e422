package io.hyperstar.hyperband;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * BOHB's configuration sampler (Falkner, Klein and Hutter, ICML 2018, Algorithm 2), for a grid of categorical
 * dimensions. Each bracket of a BOHB search is filled here instead of at random:
 * <ul>
 *   <li>a third of the draws ({@link #RANDOM_FRACTION}) are uniform, so the search keeps its Hyperband guarantee;</li>
 *   <li>the others come from a model fitted on the results of the largest budget that has enough of them: the best
 *       15% (at least d + 1) make the "good" density l(x), the next ones (up to 85%, at least d + 1) the "bad" density
 *       g(x), and a budget whose two sets do not both hold more points than dimensions has no model; each a product of Aitchison-Aitken kernels per dimension with the normal-reference bandwidth;
 *       {@link #SAMPLES} candidates are drawn from l (widened by the bandwidth) and the one with the largest l/g
 *       is taken;</li>
 *   <li>with too few results for a model, the draw is uniform.</li>
 * </ul>
 * The constants are hpbandster's defaults, the reference implementation. Our space is a finite grid and trial ids
 * name a configuration once per bracket, so a bracket never holds a configuration twice: a candidate already in the
 * bracket is skipped (hpbandster would train it again).
 */
public final class Bohb {

    static final double RANDOM_FRACTION = 1.0 / 3.0;
    static final int TOP_PERCENT = 15;
    static final int SAMPLES = 64;
    static final double MIN_BANDWIDTH = 1e-3;

    private Bohb() {
    }

    /** n distinct configurations for a bracket's first rung, drawn with {@code rng}. */
    static List<Integer> choose(Experiment e, int n, Random rng) {
        int[] shape = e.shape();
        Model model = fit(e, shape);
        Set<Integer> chosen = new LinkedHashSet<>();
        while (chosen.size() < n) {
            int config = model == null || rng.nextDouble() < RANDOM_FRACTION
                    ? uniform(e.spaceSize, chosen, rng)
                    : model.propose(chosen, rng, e.spaceSize);
            chosen.add(config);
        }
        return List.copyOf(chosen);
    }

    /**
     * The model on the largest budget with enough results, or null when no budget has enough yet. As in hpbandster, a
     * budget has a model when its good and bad sets each hold more points than there are dimensions (with d = 4 and
     * 15% good: 10 results).
     */
    static Model fit(Experiment e, int[] shape) {
        int minPoints = shape.length + 1;
        // Results per budget (epochs), losses as 1 - top-1; a configuration trained twice at one budget counts once,
        // with its better result.
        TreeMap<Integer, Map<Integer, Double>> byBudget = new TreeMap<>(Comparator.reverseOrder());
        for (Trial t : e.trials.values()) {
            if (t.succeeded()) {
                byBudget.computeIfAbsent(t.epochs, k -> new TreeMap<>()).merge(t.configId, 1 - t.top1, Math::min);
            }
        }
        for (Map<Integer, Double> results : byBudget.values()) {
            List<Integer> sorted = new ArrayList<>(results.keySet());
            sorted.sort(Comparator.comparing((Integer c) -> results.get(c)).thenComparing(c -> c));
            int count = sorted.size();
            int good = Math.min(count, Math.max(minPoints, TOP_PERCENT * count / 100));
            int bad = Math.min(count, good + Math.max(minPoints, (100 - TOP_PERCENT) * count / 100)) - good;
            if (good > shape.length && bad > shape.length) {
                List<int[]> goodPoints = coordinates(sorted.subList(0, good), shape);
                List<int[]> badPoints = coordinates(sorted.subList(good, good + bad), shape);
                return new Model(new Density(goodPoints, shape), new Density(badPoints, shape));
            }
        }
        return null;
    }

    private static int uniform(int spaceSize, Set<Integer> taken, Random rng) {
        List<Integer> free = new ArrayList<>();
        for (int c = 0; c < spaceSize; c++) {
            if (!taken.contains(c)) {
                free.add(c);
            }
        }
        return free.get(rng.nextInt(free.size()));
    }

    /** Grid coordinates of configuration ids, row-major as in {@code ConfigSpace}: the last dimension varies fastest. */
    static int[] coordinates(int id, int[] shape) {
        int[] x = new int[shape.length];
        for (int k = shape.length - 1; k >= 0; k--) {
            x[k] = id % shape[k];
            id /= shape[k];
        }
        return x;
    }

    static int id(int[] x, int[] shape) {
        int id = 0;
        for (int k = 0; k < shape.length; k++) {
            id = id * shape[k] + x[k];
        }
        return id;
    }

    private static List<int[]> coordinates(List<Integer> ids, int[] shape) {
        return ids.stream().map(id -> coordinates(id, shape)).toList();
    }

    /** Good and bad densities; proposes by l/g. */
    record Model(Density good, Density bad) {

        int propose(Set<Integer> taken, Random rng, int spaceSize) {
            int best = -1;
            double bestRatio = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < SAMPLES; i++) {
                int candidate = id(good.sample(rng), good.shape);
                // hpbandster minimises max(g, 1e-32) / max(l, 1e-32); the same order, as a ratio to maximise.
                double ratio = Math.max(good.pdf(candidate), 1e-32) / Math.max(bad.pdf(candidate), 1e-32);
                if (!taken.contains(candidate) && ratio > bestRatio) {
                    best = candidate;
                    bestRatio = ratio;
                }
            }
            return best >= 0 ? best : uniform(spaceSize, taken, rng);
        }
    }

    /**
     * Product of Aitchison-Aitken kernels: a point's own category gets weight 1 - bw, each of the other c - 1 gets
     * bw / (c - 1). The bandwidth per dimension is the normal reference rule (1.06 sd n^(-1/(4+d))) on the category index
     * scaled to [0, 1], as BOHB's vector form scales numerical parameters, clipped to [1e-3, (c - 1) / c]. On the raw
     * index, as statsmodels computes it for hpbandster, a dimension of 3 or more categories gets a bandwidth at or above
     * (c - 1) / c, where the kernel is flat (or prefers the other categories), and the model would say nothing.
     */
    static final class Density {
        final List<int[]> points;
        final int[] shape;
        final double[] bandwidth;

        Density(List<int[]> points, int[] shape) {
            this.points = points;
            this.shape = shape;
            this.bandwidth = new double[shape.length];
            int n = points.size();
            for (int k = 0; k < shape.length; k++) {
                double mean = 0;
                for (int[] p : points) {
                    mean += p[k];
                }
                mean /= n;
                double var = 0;
                for (int[] p : points) {
                    var += (p[k] - mean) * (p[k] - mean);
                }
                double sd = n > 1 ? Math.sqrt(var / (n - 1)) / Math.max(1, shape[k] - 1) : 0;
                double bw = 1.06 * sd * Math.pow(n, -1.0 / (4 + shape.length));
                double uniform = (shape[k] - 1) / (double) shape[k];
                bandwidth[k] = Math.min(Math.max(bw, MIN_BANDWIDTH), uniform);
            }
        }

        double pdf(int id) {
            int[] x = coordinates(id, shape);
            double sum = 0;
            for (int[] p : points) {
                double prod = 1;
                for (int k = 0; k < shape.length; k++) {
                    prod *= x[k] == p[k] ? 1 - bandwidth[k] : bandwidth[k] / Math.max(1, shape[k] - 1);
                }
                sum += prod;
            }
            return sum / points.size();
        }

        /** A random kernel centre, each dimension kept with probability 1 - bw, else uniform (as hpbandster does). */
        int[] sample(Random rng) {
            int[] centre = points.get(rng.nextInt(points.size()));
            int[] x = new int[shape.length];
            for (int k = 0; k < shape.length; k++) {
                x[k] = rng.nextDouble() < 1 - bandwidth[k] ? centre[k] : rng.nextInt(shape[k]);
            }
            return x;
        }
    }
}
