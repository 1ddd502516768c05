package dev.pagoda.kernel;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The element-wise kernels against scalar references. */
class VectorMathTest {
    @Test
    void expIsWithinTwoUlpsAndTheVectorAndScalarFormsAgreeBitwise() {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = new float[4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 180 - 90);
        x[0] = Float.NEGATIVE_INFINITY;
        x[1] = 0;
        x[2] = -87.5f;
        float[] v = new float[x.length], negated = new float[x.length], shifted = new float[x.length];
        for (int i = 0; i < x.length; i += VectorMath.L) {
            VectorMath.expInto(x, i, false, 0f, v, i);
            VectorMath.expInto(x, i, true, 0f, negated, i);
            VectorMath.expInto(x, i, false, 1.5f, shifted, i);
            for (int j = 0; j < VectorMath.L; j++) {
                float xi = x[i + j], e = VectorMath.exp(xi);
                assertEquals(Float.floatToRawIntBits(e), Float.floatToRawIntBits(v[i + j]), "vector vs scalar at " + xi);
                assertEquals(Float.floatToRawIntBits(VectorMath.exp(-xi)), Float.floatToRawIntBits(negated[i + j]), "negated, at " + xi);
                assertEquals(Float.floatToRawIntBits(VectorMath.exp(xi - 1.5f)), Float.floatToRawIntBits(shifted[i + j]), "shifted, at " + xi);
                if (xi < -87.33f) assertEquals(0f, e);
                else if (xi <= 88.37f) {
                    float exact = (float) Math.exp(xi);
                    assertTrue(Math.abs(e - exact) <= 2 * Math.ulp(exact), "exp(" + xi + ") = " + e + ", expected " + exact);
                }
            }
        }
    }

    @Test
    void siluMulMatchesTheScalarFormula() {
        SplittableRandom rnd = new SplittableRandom(4);
        int n = 3 * VectorMath.L + 5;
        float[] gate = new float[n], up = new float[n];
        for (int i = 0; i < n; i++) {
            gate[i] = (float) rnd.nextGaussian() * 6;
            up[i] = (float) rnd.nextGaussian();
        }
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) expected[i] = (float) (gate[i] / (1 + Math.exp(-(double) gate[i])) * up[i]);
        VectorMath.siluMul(gate, up, 0, n, new float[VectorMath.SILU_SCRATCH]);
        for (int i = 0; i < n; i++) assertEquals(expected[i], gate[i], 4 * Math.ulp(expected[i]) + 1e-30f, "at " + i);
    }

    /** The vector and the scalar path give the same bits, so a row may be split anywhere (Matmul.multiplySwiGlu's row blocks). */
    @Test
    void siluMulGivesTheSameBitsWhereverARowIsSplit() {
        SplittableRandom rnd = new SplittableRandom(6);
        int n = 4 * VectorMath.L + 3;
        float[] gate = new float[n], up = new float[n];
        for (int i = 0; i < n; i++) {
            gate[i] = (float) rnd.nextGaussian() * 8;
            up[i] = (float) rnd.nextGaussian();
        }
        float[] whole = gate.clone();
        float[] scratch = new float[VectorMath.SILU_SCRATCH];
        VectorMath.siluMul(whole, up, 0, n, scratch);
        for (int split = 1; split < n; split++) {
            float[] parts = gate.clone();
            VectorMath.siluMul(parts, up, 0, split, scratch);
            VectorMath.siluMul(parts, up, split, n - split, scratch);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(whole[i]), Float.floatToRawIntBits(parts[i]), "split at " + split + ", element " + i);
            }
        }
    }

    /** The scalar loop greedy sampling had: the first index of the largest value, NaNs passed over. */
    private static int scalarArgmax(float[] v, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (v[off + i] > v[off + best]) best = i;
        return best;
    }

    /** Rows for the comparison helpers: Gaussian, with ties at the threshold, NaNs, ±0 and infinities mixed in by trial. */
    private static float[] comparisonRow(SplittableRandom rnd, int length, int trial, float threshold) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) v[i] = (float) rnd.nextGaussian();
        switch (trial % 5) {
            case 1 -> { for (int k = 0; k < length / 4 + 1; k++) v[rnd.nextInt(length)] = threshold; } // equal: not above
            case 2 -> { for (int k = 0; k < length / 3 + 1; k++) v[rnd.nextInt(length)] = Float.NaN; }
            case 3 -> { v[rnd.nextInt(length)] = -0f; v[rnd.nextInt(length)] = Float.POSITIVE_INFINITY; }
            case 4 -> java.util.Arrays.fill(v, Float.NEGATIVE_INFINITY);
            default -> { }
        }
        return v;
    }

    @Test
    void indexAboveAndCountAboveAgreeWithScalarComparisons() {
        SplittableRandom rnd = new SplittableRandom(31);
        int L = VectorMath.L;
        for (int n : new int[]{1, 3, L - 1, L, L + 1, 3 * L + 7, 1000, 151936}) {
            for (int trial = 0; trial < 30; trial++) {
                float threshold = switch (trial % 6) {
                    case 0 -> 0f;
                    case 1 -> 1.5f;
                    case 2 -> 3.5f; // rarely exceeded: the first index may be far, or in the tail, or absent
                    case 3 -> -0f;
                    case 4 -> Float.NaN; // nothing is above NaN
                    default -> Float.NEGATIVE_INFINITY;
                };
                float[] v = comparisonRow(rnd, n + 5, trial, threshold);
                int from = 2 + rnd.nextInt(3), to = from + n - rnd.nextInt(Math.min(n, 3));
                int first = to, count = 0;
                for (int i = from; i < to; i++) {
                    if (v[i] > threshold) {
                        if (first == to) first = i;
                        count++;
                    }
                }
                String where = "n=" + n + " trial " + trial + " threshold " + threshold;
                assertEquals(first, VectorMath.indexAbove(v, from, to, threshold), where);
                assertEquals(count, VectorMath.countAbove(v, from, to - from, threshold), where);
            }
        }
    }

    @Test
    void argmaxIsTheFirstIndexOfTheLargestValue() {
        SplittableRandom rnd = new SplittableRandom(7);
        int L = VectorMath.L;
        for (int n : new int[]{1, 3, L, 4 * L - 1, 4 * L, 4 * L + 5, 1000, 151936}) {
            for (int trial = 0; trial < 40; trial++) {
                float[] v = new float[n + 2];
                for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
                switch (trial % 8) {
                    case 1 -> { // ties: the largest value at several places, the first may be in any lane or the tail
                        float top = 100f;
                        for (int k = 0; k < 3; k++) v[1 + rnd.nextInt(n)] = top;
                    }
                    case 2 -> { // NaNs everywhere but the first
                        for (int k = 0; k < n / 3; k++) v[1 + rnd.nextInt(n)] = Float.NaN;
                    }
                    case 3 -> v[1] = Float.NaN; // the first is NaN: index 0
                    case 4 -> { // the largest value is zero, as −0 and +0
                        for (int i = 1; i <= n; i++) v[i] = -Math.abs(v[i]) - 1;
                        v[1 + rnd.nextInt(n)] = -0f;
                        v[1 + rnd.nextInt(n)] = 0f;
                    }
                    case 5 -> v[n] = 1e30f; // the largest in the tail
                    case 6 -> java.util.Arrays.fill(v, -3f); // all equal
                    case 7 -> v[1 + rnd.nextInt(n)] = Float.POSITIVE_INFINITY;
                    default -> { }
                }
                assertEquals(scalarArgmax(v, 1, n), VectorMath.argmax(v, 1, n), "n=" + n + " trial " + trial);
            }
        }
    }

    @Test
    void ropeHalvesMatchesTheScalarFormulaBitwise() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (int half : new int[]{VectorMath.L, 2 * VectorMath.L, 3, VectorMath.L + 5}) {
            float[] x = new float[2 * half + 7], cos = new float[half], sin = new float[half];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < half; i++) {
                double angle = rnd.nextDouble() * 100;
                cos[i] = (float) Math.cos(angle);
                sin[i] = (float) Math.sin(angle);
            }
            float[] expected = x.clone();
            for (int i = 0; i < half; i++) {
                float a = x[5 + i], b = x[5 + half + i];
                expected[5 + i] = a * cos[i] - b * sin[i];
                expected[5 + half + i] = a * sin[i] + b * cos[i];
            }
            VectorMath.ropeHalves(x, 5, half, cos, sin);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(x[i]), "half " + half + " at " + i);
            }
        }
    }

    @Test
    void scaledExpIsTheScalarExpOfTheRoundedDifferenceAndProduct() {
        SplittableRandom rnd = new SplittableRandom(10);
        int n = 5 * VectorMath.L + 7;
        float[] src = new float[n + 3];
        for (int i = 0; i < src.length; i++) src[i] = (float) rnd.nextGaussian() * 20;
        float shift = 31.5f, scale = 1 / 0.7f;
        float[] dst = new float[n];
        VectorMath.scaledExp(src, 3, n, shift, scale, dst);
        for (int i = 0; i < n; i++) {
            float expected = VectorMath.exp((src[3 + i] - shift) * scale);
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(dst[i]), "at " + i);
        }
    }

    @Test
    void maxIsAChainOfMathMax() {
        SplittableRandom rnd = new SplittableRandom(12);
        int L = VectorMath.L;
        for (int n : new int[]{1, L - 1, L, 3 * L + 5, 1000}) {
            for (int trial = 0; trial < 6; trial++) {
                float[] v = new float[n + 2];
                for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 10;
                switch (trial) {
                    case 1 -> v[1 + rnd.nextInt(n)] = Float.NaN;
                    case 2 -> v[n] = Float.POSITIVE_INFINITY;
                    case 3 -> { // the largest is zero, as −0 and +0
                        for (int i = 1; i <= n; i++) v[i] = -Math.abs(v[i]) - 1;
                        v[1 + rnd.nextInt(n)] = -0f;
                        v[1 + rnd.nextInt(n)] = 0f;
                    }
                    case 4 -> java.util.Arrays.fill(v, Float.NEGATIVE_INFINITY);
                    default -> { }
                }
                float expected = Float.NEGATIVE_INFINITY;
                for (int i = 1; i <= n; i++) expected = Math.max(expected, v[i]);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(VectorMath.max(v, 1, n)), "n=" + n + " trial " + trial);
            }
        }
    }

    /** sumExp's order spelled out: lane k of the whole vectors sums its exps in double, lanes in order, then the tail. */
    @Test
    void sumExpAddsEachLaneThenTheLanesThenTheTail() {
        SplittableRandom rnd = new SplittableRandom(13);
        int L = VectorMath.L;
        for (int n : new int[]{1, L, 5 * L + 3, 151_936}) {
            float[] v = new float[n + 1];
            // Shifted by the largest, as logSumExp does; exps over ~38 orders of magnitude, so that
            // their double sums round and the order shows.
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * 25;
            float shift = VectorMath.max(v, 1, n);
            double[] lanes = new double[L];
            int whole = n / L * L;
            for (int i = 0; i < whole; i++) lanes[i % L] += VectorMath.exp(v[1 + i] - shift);
            double expected = 0, exact = 0;
            for (double lane : lanes) expected += lane;
            for (int i = whole; i < n; i++) expected += VectorMath.exp(v[1 + i] - shift);
            for (int i = 0; i < n; i++) exact += Math.exp(v[1 + i] - (double) shift);
            double sum = VectorMath.sumExp(v, 1, n, shift);
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(sum), "n=" + n);
            assertEquals(exact, sum, exact * 1e-6, "n=" + n + ": against exps in double");
        }
    }

    @Test
    void laneSumFollowsTheHalvingTree() {
        float[] v = new float[VectorMath.L];
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian() * (1 << rnd.nextInt(20));
        float expected = WeightKernelsTest.laneSumReference(v, onesLike(v), 0);
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(VectorMath.sumLanes(FloatVector.fromArray(VectorMath.F, v, 0))));
    }

    private static float[] onesLike(float[] v) {
        float[] ones = new float[v.length];
        java.util.Arrays.fill(ones, 1f);
        return ones;
    }
}
