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

    /** The ranking as written before the vector search: every token through the insertion chain. */
    private static int[] scalarTopK(float[] logits, int off, int n, int k) {
        int count = Math.min(k, n);
        int[] ids = new int[count];
        java.util.Arrays.fill(ids, -1);
        for (int i = 0; i < n; i++) {
            float x = logits[off + i];
            int pos = count;
            while (pos > 0 && (ids[pos - 1] < 0 || x > logits[off + ids[pos - 1]])) pos--;
            if (pos >= count) continue;
            System.arraycopy(ids, pos, ids, pos + 1, count - pos - 1);
            ids[pos] = i;
        }
        return ids;
    }

    @Test
    void topKRanksAsEveryTokenThroughTheInsertionChainWould() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n : new int[]{1, 5, 16, 17, 300, 151_936}) {
            for (int trial = 0; trial < 12; trial++) {
                float[] logits = new float[n + 2];
                for (int i = 0; i < logits.length; i++) logits[i] = (float) rnd.nextGaussian() * 3;
                switch (trial % 4) {
                    case 1 -> { for (int j = 0; j < 40; j++) logits[2 + rnd.nextInt(n)] = 9f; } // ties at the top: lower id first
                    case 2 -> { for (int j = 0; j < n / 5 + 1; j++) logits[2 + rnd.nextInt(n)] = Float.NaN; }
                    case 3 -> logits[2 + n - 1] = 50f; // the best is the last token
                    default -> { }
                }
                for (int k : new int[]{0, 1, 2, 5, 20}) {
                    int[] ids = new int[k];
                    float[] lps = new float[k];
                    int count = LogProbs.topK(logits, 2, n, k, 1.0, ids, lps);
                    int[] expected = scalarTopK(logits, 2, n, k);
                    String where = "n=" + n + " trial " + trial + " k=" + k;
                    assertEquals(expected.length, count, where);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(expected, java.util.Arrays.copyOf(ids, count), where);
                    for (int j = 0; j < count; j++) assertEquals((float) (logits[2 + ids[j]] - 1.0), lps[j], where);
                }
            }
        }
    }
}
