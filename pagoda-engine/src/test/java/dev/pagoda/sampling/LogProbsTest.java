package dev.pagoda.sampling;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LogProbsTest {
    /** The log-softmax denominator all in double, as it was computed before the vector path. */
    private static double inDouble(float[] logits, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) max = Math.max(max, logits[i]);
        double sum = 0;
        for (int i = off; i < off + n; i++) sum += Math.exp(logits[i] - (double) max);
        return max + Math.log(sum);
    }

    @Test
    void logSumExpIsWithinAFloatLogprobOfTheDoubleResult() {
        SplittableRandom rnd = new SplittableRandom(14);
        for (int n : new int[]{1, 7, 16, 1000, 151_936}) {
            for (float spread : new float[]{0.1f, 3f, 30f}) {
                float[] logits = new float[n + 3];
                for (int i = 0; i < logits.length; i++) logits[i] = (float) rnd.nextGaussian() * spread + 5;
                double expected = inDouble(logits, 3, n);
                assertEquals(expected, LogProbs.logSumExp(logits, 3, n), 1e-6 * Math.max(1, Math.abs(expected)), "n=" + n + " spread " + spread);
            }
        }
    }

    /** Rows whose largest logit is not finite keep Java's double rules (NaN in, NaN out; +∞ wins). */
    @Test
    void nonFiniteRowsGiveWhatTheDoubleLoopGives() {
        float[][] rows = {
                {1f, Float.NaN, 2f},
                {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
                {1f, Float.POSITIVE_INFINITY, 3f},
        };
        for (float[] row : rows) {
            assertEquals(inDouble(row, 0, row.length), LogProbs.logSumExp(row, 0, row.length), java.util.Arrays.toString(row));
        }
    }
}
