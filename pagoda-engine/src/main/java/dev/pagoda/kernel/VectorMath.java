package dev.pagoda.kernel;

import jdk.incubator.vector.FloatVector;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and reduction kernels on F32 activations. Every reduction has one fixed order
 * that depends only on the vector length n, never on the batch: this is what makes a
 * sequence's logits bitwise independent of what else is in the batch.
 */
public final class VectorMath {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private VectorMath() {
    }

    /** Dot product of a[aOff..aOff+n) and b[bOff..bOff+n): four vector accumulators, then lanes, then the tail. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F), acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
        int i = 0;
        for (int upper = n - 4 * L; i <= upper; i += 4 * L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
            acc2 = FloatVector.fromArray(F, a, aOff + i + 2 * L).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), acc2);
            acc3 = FloatVector.fromArray(F, a, aOff + i + 3 * L).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), acc3);
        }
        for (int upper = n - L; i <= upper; i += L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)));
        for (; i < n; i++) sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        return sum;
    }

    /** Dot product of a[aOff..aOff+n) with n floats of b starting at float index bIdx, in the same order as {@link #dot}. */
    public static float dot(float[] a, int aOff, MemorySegment b, long bIdx, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F), acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
        long bo = bIdx * Float.BYTES;
        int i = 0;
        for (int upper = n - 4 * L; i <= upper; i += 4 * L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromMemorySegment(F, b, bo + 4L * i, LE), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromMemorySegment(F, b, bo + 4L * (i + L), LE), acc1);
            acc2 = FloatVector.fromArray(F, a, aOff + i + 2 * L).fma(FloatVector.fromMemorySegment(F, b, bo + 4L * (i + 2 * L), LE), acc2);
            acc3 = FloatVector.fromArray(F, a, aOff + i + 3 * L).fma(FloatVector.fromMemorySegment(F, b, bo + 4L * (i + 3 * L), LE), acc3);
        }
        for (int upper = n - L; i <= upper; i += L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromMemorySegment(F, b, bo + 4L * i, LE), acc0);
        }
        float sum = sumLanes(acc0.add(acc1).add(acc2.add(acc3)));
        for (; i < n; i++) sum = Math.fma(a[aOff + i], b.getAtIndex(LE_FLOAT, bIdx + i), sum);
        return sum;
    }

    /**
     * The lanes of v added in lane order. Not reduceLanes(ADD): its order is unspecified, and the
     * interpreter's fallback and C2's intrinsic do differ, which would make results depend on
     * whether a method had been JIT-compiled yet.
     */
    static float sumLanes(FloatVector v) {
        float sum = 0;
        for (int i = 0; i < L; i++) sum += v.lane(i);
        return sum;
    }

    /** out[o..o+n) = rmsnorm(x[xo..xo+n)) * weight[0..n). */
    public static void rmsNorm(float[] out, int o, float[] x, int xo, float[] weight, int n, float eps) {
        float ss = dot(x, xo, x, xo, n);
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        int i = 0;
        for (int upper = n - L; i <= upper; i += L) {
            FloatVector.fromArray(F, x, xo + i).mul(scale).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = x[xo + i] * scale * weight[i];
    }

    /** x[xo..xo+n) += y[yo..yo+n). */
    public static void addInPlace(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int upper = n - L; i <= upper; i += L) {
            FloatVector.fromArray(F, x, xo + i).add(FloatVector.fromArray(F, y, yo + i)).intoArray(x, xo + i);
        }
        for (; i < n; i++) x[xo + i] += y[yo + i];
    }

    /** gate[o..o+n) = silu(gate) * up, the SwiGLU activation. */
    public static void siluMul(float[] gate, float[] up, int o, int n) {
        for (int i = o; i < o + n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    /** x[o..o+n) += bias[0..n). */
    public static void addBias(float[] x, int o, float[] bias, int n) {
        addInPlace(x, o, bias, 0, n);
    }

    /** x[o..o+n) *= s. */
    public static void scale(float[] x, int o, int n, float s) {
        int i = 0;
        for (int upper = n - L; i <= upper; i += L) {
            FloatVector.fromArray(F, x, o + i).mul(s).intoArray(x, o + i);
        }
        for (; i < n; i++) x[o + i] *= s;
    }

    /** acc[0..n) += w * (n floats of v starting at float index vIdx). */
    public static void addScaled(float[] acc, MemorySegment v, long vIdx, float w, int n) {
        long vo = vIdx * Float.BYTES;
        int i = 0;
        for (int upper = n - L; i <= upper; i += L) {
            FloatVector.fromMemorySegment(F, v, vo + 4L * i, LE).fma(FloatVector.broadcast(F, w), FloatVector.fromArray(F, acc, i)).intoArray(acc, i);
        }
        for (; i < n; i++) acc[i] = Math.fma(v.getAtIndex(LE_FLOAT, vIdx + i), w, acc[i]);
    }
}
