package io.hyperstar.metalearn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The baseline's random forest learns an interaction of a threshold and a binary feature (a linear model could not). */
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
    }
}
