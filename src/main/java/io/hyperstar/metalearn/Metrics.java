package io.hyperstar.metalearn;

import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;

/**
 * The ranking metrics of DESIGN.md ("Metrics"): true ranking, AP@10, configurations-to-best and Spearman, over
 * configurations identified by their index in an array of accuracies or scores.
 */
public final class Metrics {

    public static final int K = 10;

    private Metrics() {
    }

    /**
     * Config ids ordered by value, highest first, ties by id. Used both for true rankings (values = val top-1 at R)
     * and predicted rankings (values = predicted scores). NaN values (configurations without a result) go last.
     */
    public static int[] orderDescending(double[] values) {
        Integer[] ids = new Integer[values.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        Comparator<Integer> byValue = (a, b) -> {
            double va = values[a];
            double vb = values[b];
            boolean na = Double.isNaN(va);
            boolean nb = Double.isNaN(vb);
            if (na || nb) {
                return na == nb ? 0 : na ? 1 : -1;
            }
            return Double.compare(vb, va);
        };
        Arrays.sort(ids, byValue.thenComparing(Comparator.naturalOrder()));
        return Arrays.stream(ids).mapToInt(Integer::intValue).toArray();
    }

    /** Same as {@link #orderDescending(double[])} for float scores. */
    public static int[] orderDescending(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return orderDescending(d);
    }

    /**
     * AP@k: relevant = the first k of {@code trueOrder}; AP@k = (1/k) sum_{i=1..k} P@i * rel_i over the first k of
     * {@code predicted}. With k = 10 this is the paper's AP@10 and, between two tasks' true rankings, the r_ij of
     * L_sim. The divisor is k (not the number of hits), as DESIGN.md defines it.
     */
    public static double apAtK(int[] predicted, int[] trueOrder, int k) {
        int kk = Math.min(k, Math.min(predicted.length, trueOrder.length));
        Set<Integer> relevant = new HashSet<>();
        for (int i = 0; i < kk; i++) {
            relevant.add(trueOrder[i]);
        }
        int hits = 0;
        double sum = 0;
        for (int i = 0; i < kk; i++) {
            if (relevant.contains(predicted[i])) {
                hits++;
                sum += (double) hits / (i + 1);
            }
        }
        return sum / kk;
    }

    public static double ap10(int[] predicted, int[] trueOrder) {
        return apAtK(predicted, trueOrder, K);
    }

    /** r_ij of L_sim: the AP@10 agreement of two true rankings, symmetrised (AP@10 itself is not symmetric). */
    public static double agreement(int[] a, int[] b) {
        return (ap10(a, b) + ap10(b, a)) / 2;
    }

    /**
     * 1-based position in {@code predicted} of the first configuration whose true accuracy equals the best (the
     * number of configurations a user evaluates in ranked order before meeting the best one).
     */
    public static int configsToBest(int[] predicted, double[] accuracy) {
        double best = Double.NEGATIVE_INFINITY;
        for (double a : accuracy) {
            if (!Double.isNaN(a)) {
                best = Math.max(best, a);
            }
        }
        for (int i = 0; i < predicted.length; i++) {
            if (accuracy[predicted[i]] == best) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("the predicted order holds no configuration with a result");
    }

    /** Spearman's rho between two strict orders of the same ids: 1 - 6 sum d^2 / (n (n^2 - 1)). */
    public static double spearman(int[] orderA, int[] orderB) {
        if (orderA.length != orderB.length) {
            throw new IllegalArgumentException("orders of different lengths: " + orderA.length + " vs " + orderB.length);
        }
        int n = orderA.length;
        if (n < 2) {
            return 1.0;
        }
        int max = Math.max(Arrays.stream(orderA).max().orElse(0), Arrays.stream(orderB).max().orElse(0));
        int[] posA = new int[max + 1];
        int[] posB = new int[max + 1];
        for (int i = 0; i < n; i++) {
            posA[orderA[i]] = i;
            posB[orderB[i]] = i;
        }
        double d2 = 0;
        for (int id : orderA) {
            double d = posA[id] - posB[id];
            d2 += d * d;
        }
        return 1 - 6 * d2 / ((double) n * ((double) n * n - 1));
    }

    /** The order restricted to the given ids (keeps relative order); used when some configurations lack results. */
    public static int[] restrict(int[] order, Set<Integer> ids) {
        return Arrays.stream(order).filter(ids::contains).toArray();
    }
}
