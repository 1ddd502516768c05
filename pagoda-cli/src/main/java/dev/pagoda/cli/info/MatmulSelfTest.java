package dev.pagoda.cli.info;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.SplittableRandom;

/**
 * An n×n×n single-threaded matmul C = A·Bᵀ, once with the Vector API (FMA over the preferred
 * species) and once with scalar code; the two results must agree (they sum in different orders)
 * and a sample of elements must match a float64 computation.
 */
public final class MatmulSelfTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** GFLOP/s of both, and the largest relative difference found. */
    public record Result(int n, double vectorGflops, double scalarGflops, double maxRelativeError, boolean passed) {
        public double speedup() {
            return vectorGflops / scalarGflops;
        }
    }

    private MatmulSelfTest() {
    }

    public static Result run(int n) {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] a = new float[n * n], b = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
            b[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        // Warm both paths on a small problem so the JIT has compiled them before the clock runs.
        int w = Math.min(n, 128);
        for (int i = 0; i < 20; i++) {
            vector(a, b, new float[w * w], w, n);
            scalar(a, b, new float[w * w], w, n);
        }
        float[] cv = new float[n * n], cs = new float[n * n];
        long t0 = System.nanoTime();
        vector(a, b, cv, n, n);
        long t1 = System.nanoTime();
        scalar(a, b, cs, n, n);
        long t2 = System.nanoTime();
        double flops = 2.0 * n * n * n;
        double maxErr = 0;
        boolean ok = true;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double scale = Math.max(1.0, Math.abs(cs[i * n + j]));
                maxErr = Math.max(maxErr, Math.abs(cv[i * n + j] - cs[i * n + j]) / scale);
            }
        }
        for (int s = 0; s < 64; s++) {
            int i = rnd.nextInt(n), j = rnd.nextInt(n);
            double exact = 0;
            for (int k = 0; k < n; k++) exact += (double) a[i * n + k] * b[j * n + k];
            ok &= Math.abs(cv[i * n + j] - exact) <= 1e-3 * Math.max(1.0, Math.abs(exact));
        }
        ok &= maxErr <= 1e-3;
        return new Result(n, flops / (t1 - t0), flops / (t2 - t1), maxErr, ok);
    }

    /** C[i][j] = Σk A[i][k]·B[j][k] over the top-left m×m block of n×n row-major matrices. */
    static void vector(float[] a, float[] b, float[] c, int m, int n) {
        int bound = S.loopBound(m);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                FloatVector acc = FloatVector.zero(S);
                int k = 0;
                for (; k < bound; k += S.length()) {
                    acc = FloatVector.fromArray(S, a, i * n + k).fma(FloatVector.fromArray(S, b, j * n + k), acc);
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (; k < m; k++) sum += a[i * n + k] * b[j * n + k];
                c[i * m + j] = sum;
            }
        }
    }

    static void scalar(float[] a, float[] b, float[] c, int m, int n) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                float sum = 0;
                for (int k = 0; k < m; k++) sum += a[i * n + k] * b[j * n + k];
                c[i * m + j] = sum;
            }
        }
    }
}
