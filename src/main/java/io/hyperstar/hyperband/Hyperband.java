package io.hyperstar.hyperband;

import java.util.ArrayList;
import java.util.List;

/**
 * Hyperband's bracket plan (Li et al., JMLR 2017, Algorithm 1) for a maximum of R epochs per trial and a
 * reduction factor eta, with the number of configurations capped at the size of the space.
 */
public final class Hyperband {

    private Hyperband() {
    }

    /** s_max = floor(log_eta(R)), computed in integers so R = eta^k never rounds down by one. */
    public static int sMax(int maxEpochs, int eta) {
        int s = 0;
        long power = eta;
        while (power <= maxEpochs) {
            s++;
            power *= eta;
        }
        return s;
    }

    /**
     * Brackets from the most exploratory (s = s_max) to plain full-budget training (s = 0). Rung i of bracket
     * s holds floor(n / eta^i) configurations (at least one) trained to floor(R / eta^(s-i)) epochs (at least one).
     */
    public static List<Bracket> plan(int maxEpochs, int eta, int spaceSize) {
        if (maxEpochs < 1) {
            throw new IllegalArgumentException("R (max epochs per trial) must be at least 1, got " + maxEpochs);
        }
        if (eta < 2) {
            throw new IllegalArgumentException("eta must be at least 2, got " + eta);
        }
        if (spaceSize < 1) {
            throw new IllegalArgumentException("the configuration space is empty");
        }
        int sMax = sMax(maxEpochs, eta);
        List<Bracket> brackets = new ArrayList<>();
        for (int s = sMax; s >= 0; s--) {
            long etaS = pow(eta, s);
            // n = ceil((s_max + 1) / (s + 1) * eta^s), exact in integers.
            long n = ceilDiv((long) (sMax + 1) * etaS, s + 1);
            n = Math.min(n, spaceSize);
            List<Rung> rungs = new ArrayList<>();
            for (int i = 0; i <= s; i++) {
                int ni = (int) Math.max(1, n / pow(eta, i));
                int ri = (int) Math.max(1, maxEpochs / pow(eta, s - i));
                rungs.add(new Rung(i, ni, ri));
            }
            brackets.add(new Bracket(s, rungs));
        }
        return brackets;
    }

    /** Epochs the whole plan trains when every trial succeeds: the budget a vanilla run spends. */
    public static long plannedEpochs(List<Bracket> plan) {
        return plan.stream().mapToLong(Bracket::plannedEpochs).sum();
    }

    static long pow(int base, int exp) {
        long r = 1;
        for (int i = 0; i < exp; i++) {
            r = Math.multiplyExact(r, base);
        }
        return r;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
