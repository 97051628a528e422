package io.hyperstar.metalearn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The baseline's random forest (Tribuo's, wrapped): learns an interaction of a threshold and a binary feature (a
 * linear model could not), beats the mean on held-out rows of a non-linear function, and is deterministic per seed.
 */
class RandomForestTests {

    @Test
    void fitsAnInteraction() {
        Random rnd = new Random(1);
        double[][] x = new double[400][3];
        double[] y = new double[400];
        for (int i = 0; i < x.length; i++) {
            x[i][0] = rnd.nextDouble();
            x[i][1] = rnd.nextInt(2);
            x[i][2] = rnd.nextGaussian();
            y[i] = x[i][0] > 0.5 ? (x[i][1] == 1 ? 2 : 0) : -1;
        }
        RandomForest rf = RandomForest.fit(x, y, 50, 3, 7);
        assertThat(rf.predict(new double[] {0.9, 1, 0})).isCloseTo(2, within(0.3));
        assertThat(rf.predict(new double[] {0.9, 0, 0})).isCloseTo(0, within(0.3));
        assertThat(rf.predict(new double[] {0.1, 0, 0})).isCloseTo(-1, within(0.3));
        assertThat(rf.predict(new double[] {0.1, 1, 0})).isCloseTo(-1, within(0.3));
        // An all-zero row still has every feature (explicit zeros), so it predicts rather than failing.
        assertThat(rf.predict(new double[] {0, 0, 0})).isCloseTo(-1, within(0.3));
    }

    @Test
    void beatsTheMeanOnHeldOutRows() {
        double[][][] xs = new double[2][][];
        double[][] ys = new double[2][];
        Random rnd = new Random(3);
        for (int part = 0; part < 2; part++) {
            int n = part == 0 ? 600 : 300;
            xs[part] = new double[n][6];
            ys[part] = new double[n];
            for (int i = 0; i < n; i++) {
                for (int f = 0; f < 6; f++) {
                    xs[part][i][f] = rnd.nextDouble() * 2 - 1;
                }
                double[] r = xs[part][i];
                ys[part][i] = Math.sin(3 * r[0]) + 2 * r[1] * r[1] + (r[2] > 0 ? 1 : 0) + 0.1 * rnd.nextGaussian();
            }
        }
        RandomForest rf = RandomForest.fit(xs[0], ys[0], 100, 3, 11);
        double mean = 0;
        for (double v : ys[0]) {
            mean += v / ys[0].length;
        }
        double mseMean = 0;
        double mseForest = 0;
        for (int i = 0; i < ys[1].length; i++) {
            mseMean += Math.pow(ys[1][i] - mean, 2);
            mseForest += Math.pow(ys[1][i] - rf.predict(xs[1][i]), 2);
        }
        // Three of six features matter, and half of the features are drawn per split: far below the mean's error.
        assertThat(mseForest).isLessThan(0.3 * mseMean);
    }

    @Test
    void isDeterministicForASeed() {
        Random rnd = new Random(5);
        double[][] x = new double[200][4];
        double[] y = new double[200];
        for (int i = 0; i < x.length; i++) {
            for (int f = 0; f < 4; f++) {
                x[i][f] = rnd.nextGaussian();
            }
            y[i] = x[i][0] * x[i][1] + rnd.nextGaussian();
        }
        RandomForest a = RandomForest.fit(x, y, 30, 3, 42);
        RandomForest b = RandomForest.fit(x, y, 30, 3, 42);
        RandomForest c = RandomForest.fit(x, y, 30, 3, 43);
        boolean seedMatters = false;
        for (int i = 0; i < 50; i++) {
            assertThat(a.predict(x[i])).isEqualTo(b.predict(x[i]));
            seedMatters |= a.predict(x[i]) != c.predict(x[i]);
        }
        assertThat(seedMatters).isTrue();
    }

    @Test
    void fitsASingleFeature() {
        double[][] x = new double[100][1];
        double[] y = new double[100];
        for (int i = 0; i < x.length; i++) {
            x[i][0] = i / 100.0;
            y[i] = x[i][0] < 0.5 ? 0 : 1;
        }
        RandomForest rf = RandomForest.fit(x, y, 20, 2, 1);
        assertThat(rf.predict(new double[] {0.1})).isCloseTo(0, within(0.1));
        assertThat(rf.predict(new double[] {0.9})).isCloseTo(1, within(0.1));
        assertThatThrownBy(() -> rf.predict(new double[] {0.1, 0.2})).isInstanceOf(IllegalArgumentException.class);
    }
}
