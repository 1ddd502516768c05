package dev.pagoda.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
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
    /**
     * The kernels' vector width: the CPU's preferred, or {@code -Dpagoda.vectorBits=256} to
     * measure a narrower one (256-bit has beaten 512-bit for some formats on some CPUs).
     */
    static final VectorSpecies<Float> F = VectorSpecies.of(float.class,
            VectorShape.forBitSize(Integer.getInteger("pagoda.vectorBits", FloatVector.SPECIES_PREFERRED.vectorBitSize())));
    static final int L = F.length();

    static {
        if (L != 8 && L != 16) throw new IllegalStateException("the kernels need 256- or 512-bit vectors, got " + F.vectorBitSize());
    }
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final VectorSpecies<Short> S16 = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I32 = VectorSpecies.of(int.class, F.vectorShape());
    /** Four floats: the width {@link #foldLanes} folds at. */
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    /** Rotations by 8 and by 4 lanes: lane i sees lane i + 8 (resp. i + 4). */
    private static final VectorShuffle<Float> FOLD8 = VectorShuffle.iota(F, 8, 1, true);
    private static final VectorShuffle<Float> FOLD4 = VectorShuffle.iota(F, 4, 1, true);

    private VectorMath() {
    }

    /** The vector width the kernels use. */
    public static int bits() {
        return F.vectorBitSize();
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

    /**
     * The lanes of v summed by a fixed halving tree: lane i += lane i + 8, then lane i += lane i + 4
     * (for 16 lanes; 8 lanes skip the first fold), then ((l0 + l1) + l2) + l3. Not
     * reduceLanes(ADD): its order is unspecified, and the interpreter's fallback and C2's
     * intrinsic do differ, which would make results depend on whether a method had been
     * JIT-compiled yet. Every step here is a lane-wise IEEE add, exact in both. The folds are
     * rotations within one species: shape-changing views of v made C2 deoptimize repeatedly.
     */
    static float sumLanes(FloatVector v) {
        FloatVector h = v;
        if (L == 16) h = h.add(h.rearrange(FOLD8));
        h = h.add(h.rearrange(FOLD4));
        return ((h.lane(0) + h.lane(1)) + h.lane(2)) + h.lane(3);
    }

    /**
     * The first two folds of {@link #sumLanes(FloatVector)} for {@code count} vectors stored at
     * a[0], a[L], ..., done four lanes at a time: vector k's four partial sums go to a[4k..4k+4)
     * (overwriting vectors already read), and ((a[4k] + a[4k+1]) + a[4k+2]) + a[4k+3] is then its
     * lane sum, bitwise. Half the work of summing each vector's lanes one by one, which was a
     * tenth of a 16-token decode step.
     */
    static void foldLanes(float[] a, int count) {
        for (int k = 0; k < count; k++) {
            int o = k * L;
            FloatVector g = L == 16
                    ? FloatVector.fromArray(F4, a, o).add(FloatVector.fromArray(F4, a, o + 8))
                        .add(FloatVector.fromArray(F4, a, o + 4).add(FloatVector.fromArray(F4, a, o + 12)))
                    : FloatVector.fromArray(F4, a, o).add(FloatVector.fromArray(F4, a, o + 4));
            g.intoArray(a, 4 * k);
        }
    }

    /** acc[0..n) += w * (n bfloat16 values of v from element index vIdx). */
    public static void addScaledBf16(float[] acc, MemorySegment v, long vIdx, float w, int n) {
        long vo = vIdx * 2;
        FloatVector wv = FloatVector.broadcast(F, w);
        int i = 0;
        for (int upper = n - L; i <= upper; i += L) {
            bf16(v, vo + 2L * i).fma(wv, FloatVector.fromArray(F, acc, i)).intoArray(acc, i);
        }
        for (; i < n; i++) acc[i] = Math.fma(Float.intBitsToFloat(v.getAtIndex(LE_SHORT, vIdx + i) << 16), w, acc[i]);
    }

    /** L bfloat16 values at byte offset {@code off}, widened to floats (a bfloat16 is a float's top half). */
    static FloatVector bf16(MemorySegment seg, long off) {
        // The cast matters: shifting the untyped Vector that convertShape returns, C2 (JDK 25.0.3)
        // once inlined FloatVector's lanewise there and aborted the JVM ("LSHIFT: float").
        IntVector widened = (IntVector) ShortVector.fromMemorySegment(S16, seg, off, LE).convertShape(VectorOperators.S2I, I32, 0);
        return widened.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * L IEEE half-precision values at byte offset {@code off}, widened exactly (the Vector API has
     * no half-precision conversion). Exponent and mantissa move to a float's positions and a
     * multiplication by 2^112 rebiases the exponent — exact for normal and subnormal halves alike;
     * halves with the all-ones exponent (infinities, NaNs) come out ≥ 2^16 and get the float's
     * all-ones exponent instead; the sign is put back last. Equal to {@link Float#float16ToFloat}
     * for every input except that a signalling NaN stays signalling.
     */
    static FloatVector f16(MemorySegment seg, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S16, seg, off, LE).convertShape(VectorOperators.S2I, I32, 0);
        IntVector magnitude = h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13);
        FloatVector finite = magnitude.reinterpretAsFloats().mul(0x1p112f);
        IntVector bits = finite.reinterpretAsInts().blend(magnitude.or(0x7F800000), finite.compare(VectorOperators.GE, 0x1p16f).cast(I32));
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** Round-to-nearest-even narrowing of a float to bfloat16 (NaN stays NaN). */
    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
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

    /**
     * The index of the largest of v[off..off+n), the lowest on ties (−0 and +0 tie), NaNs passed
     * over — exactly the result of a scalar loop that keeps the first v[i] greater than the best so
     * far (which returns 0 when v[off] is NaN). Greedy sampling runs it on every vocabulary-sized
     * logits row: two vector passes (the largest value, then its first index) make a greedy draw on
     * 152k logits ~12 µs (bench/harness/SamplerCost.java); the scalar loop took ~60 µs.
     */
    public static int argmax(float[] v, int off, int n) {
        float first = v[off];
        if (first != first) return 0;
        // Four running maxima per lane (one compare-and-blend chain would wait on its latency).
        FloatVector m0 = FloatVector.broadcast(F, first), m1 = m0, m2 = m0, m3 = m0;
        int i = 0;
        for (int upper = n - 4 * L; i <= upper; i += 4 * L) {
            FloatVector x0 = FloatVector.fromArray(F, v, off + i), x1 = FloatVector.fromArray(F, v, off + i + L);
            FloatVector x2 = FloatVector.fromArray(F, v, off + i + 2 * L), x3 = FloatVector.fromArray(F, v, off + i + 3 * L);
            m0 = m0.blend(x0, x0.compare(VectorOperators.GT, m0));
            m1 = m1.blend(x1, x1.compare(VectorOperators.GT, m1));
            m2 = m2.blend(x2, x2.compare(VectorOperators.GT, m2));
            m3 = m3.blend(x3, x3.compare(VectorOperators.GT, m3));
        }
        m0 = m0.blend(m1, m1.compare(VectorOperators.GT, m0));
        m2 = m2.blend(m3, m3.compare(VectorOperators.GT, m2));
        m0 = m0.blend(m2, m2.compare(VectorOperators.GT, m0));
        float max = m0.reduceLanes(VectorOperators.MAX); // no NaN to propagate: GT never picks one
        for (; i < n; i++) if (v[off + i] > max) max = v[off + i];
        FloatVector target = FloatVector.broadcast(F, max);
        int k = 0;
        for (int upper = n - L; k <= upper; k += L) {
            var equal = FloatVector.fromArray(F, v, off + k).compare(VectorOperators.EQ, target);
            if (equal.anyTrue()) return k + equal.firstTrue();
        }
        while (v[off + k] != max) k++;
        return k;
    }

    /** The first index in [from, to) whose value is greater than {@code v} (never a NaN: {@code >} is false for it), or {@code to}. */
    public static int indexAbove(float[] a, int from, int to, float v) {
        FloatVector threshold = FloatVector.broadcast(F, v);
        int i = from;
        for (int upper = to - L; i <= upper; i += L) {
            var above = FloatVector.fromArray(F, a, i).compare(VectorOperators.GT, threshold);
            if (above.anyTrue()) return i + above.firstTrue();
        }
        for (; i < to; i++) if (a[i] > v) return i;
        return to;
    }

    /** How many of a[off, off + n) are greater than {@code v} ({@code >}: NaNs never count). */
    public static int countAbove(float[] a, int off, int n, float v) {
        FloatVector threshold = FloatVector.broadcast(F, v);
        int count = 0, i = 0;
        for (int upper = n - L; i <= upper; i += L) count += FloatVector.fromArray(F, a, off + i).compare(VectorOperators.GT, threshold).trueCount();
        for (; i < n; i++) if (a[off + i] > v) count++;
        return count;
    }

    /**
     * Rotary embedding of one head whose pairs are (i, i + half) (Hugging Face's rotate_half
     * layout): x_i' = x_i·cos_i − x_{i+half}·sin_i, x_{i+half}' = x_i·sin_i + x_{i+half}·cos_i.
     * Each product rounded, then the sum: the same bits as the scalar formula in Java.
     */
    public static void ropeHalves(float[] x, int base, int half, float[] cos, float[] sin) {
        int i = 0;
        for (int upper = half - L; i <= upper; i += L) {
            FloatVector a = FloatVector.fromArray(F, x, base + i), b = FloatVector.fromArray(F, x, base + half + i);
            FloatVector c = FloatVector.fromArray(F, cos, i), s = FloatVector.fromArray(F, sin, i);
            a.mul(c).sub(b.mul(s)).intoArray(x, base + i);
            a.mul(s).add(b.mul(c)).intoArray(x, base + half + i);
        }
        for (; i < half; i++) {
            float a = x[base + i], b = x[base + half + i];
            x[base + i] = a * cos[i] - b * sin[i];
            x[base + half + i] = a * sin[i] + b * cos[i];
        }
    }

    /** Floats of scratch {@link #siluMul} needs. */
    public static final int SILU_SCRATCH = L;

    /** gate[o..o+n) = silu(gate) * up = gate / (1 + exp(−gate)) * up, the SwiGLU activation; scratch: {@link #SILU_SCRATCH} floats. */
    public static void siluMul(float[] gate, float[] up, int o, int n, float[] scratch) {
        int i = o;
        for (int upper = o + n - L; i <= upper; i += L) {
            expInto(gate, i, true, 0f, scratch, 0);
            FloatVector g = FloatVector.fromArray(F, gate, i);
            g.div(FloatVector.fromArray(F, scratch, 0).add(1f)).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
        }
        for (; i < o + n; i++) gate[i] = gate[i] / (exp(-gate[i]) + 1f) * up[i];
    }

    /**
     * dst[0..n) = exp((src[o + i] − shift) · scale): each difference and product rounded to
     * float, then {@link #exp} (the vector lanes give its bits).
     */
    public static void scaledExp(float[] src, int o, int n, float shift, float scale, float[] dst) {
        int i = 0;
        for (int upper = n - L; i <= upper; i += L) FloatVector.fromArray(F, src, o + i).sub(shift).mul(scale).intoArray(dst, i);
        for (; i < n; i++) dst[i] = (src[o + i] - shift) * scale;
        expShifted(dst, 0, n, 0f);
    }

    /** The largest of v[o..o+n) as a chain of {@link Math#max} would give it (a NaN wins; +0 over −0). */
    public static float max(float[] v, int o, int n) {
        FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int upper = n - L; i <= upper; i += L) m = m.max(FloatVector.fromArray(F, v, o + i));
        float max = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) max = Math.max(max, v[o + i]);
        return max;
    }

    /**
     * Σ exp(v[o + i] − shift) over i in [0, n), in double: each exp in float ({@link #exp}, about
     * an ulp), accumulated per lane (lane k takes the i ≡ k mod L of whole vectors), the lanes then
     * added in order, then the tail. The log-softmax denominator of Qwen's 152k logits took
     * ~0.8 ms in {@code Math.exp} (double), ~0.2 ms this way (bench/harness/SamplerCost.java).
     * (Two lane-sized scratch arrays per call: it runs once per row.)
     */
    public static double sumExp(float[] v, int o, int n, float shift) {
        float[] scratch = new float[L];
        double[] lanes = new double[L];
        int i = 0;
        for (int upper = n - L; i <= upper; i += L) {
            expInto(v, o + i, false, shift, scratch, 0);
            for (int k = 0; k < L; k++) lanes[k] += scratch[k];
        }
        double sum = 0;
        for (int k = 0; k < L; k++) sum += lanes[k];
        for (; i < n; i++) sum += exp(v[o + i] - shift);
        return sum;
    }

    /** v[o..o+n) = exp(v[o..o+n) − shift), with {@link #expInto}. */
    public static void expShifted(float[] v, int o, int n, float shift) {
        int i = o;
        for (int upper = o + n - L; i <= upper; i += L) expInto(v, i, false, shift, v, i);
        for (; i < o + n; i++) v[i] = exp(v[i] - shift);
    }

    private static final float LOG2E = 1.44269504f, LN2_HI = 0.693145752f, LN2_LO = 1.42860677e-6f;
    /** 1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer (to nearest even). */
    private static final float ROUNDER = 12582912f;
    /** Below this exp underflows to 0; above it 2^n would overflow, so inputs are clamped to it. */
    private static final float EXP_MIN = -87.33f, EXP_MAX = 88.37f;
    /** 1/k! for k = 7 down to 2 (Taylor series of e^r; |r| ≤ ln2/2 keeps the error near one ulp). */
    private static final float C7 = 1.98412698e-4f, C6 = 1.38888889e-3f, C5 = 8.33333333e-3f, C4 = 4.16666667e-2f,
            C3 = 1.66666667e-1f, C2 = 0.5f;

    /**
     * dst[j..j+L) = e^x, x = −src[i..i+L) (negate) or src[i..i+L) − shift, from IEEE adds,
     * multiplies and FMAs only, lane by lane: x = n·ln2 + r, e^r by a polynomial, times 2^n built
     * in the exponent bits. Not {@code lanewise(EXP)}, whose C2 intrinsic and Java fallback differ
     * in the last bits: this gives the same bits interpreted or compiled, and {@link #exp(float)}
     * gives the same bits for one value. About 1 ulp; 0 below −87.33; inputs above 88.37 are
     * clamped. Arrays in and out, not a vector: a vector returned from a call C2 left out of line
     * (its callers are inlined into large loops) is boxed, and that had happened to this exp.
     */
    static void expInto(float[] src, int i, boolean negate, float shift, float[] dst, int j) {
        // −v as v·(−1) − 0 and v − shift as v·1 − shift: exact, and no vector chosen by a branch.
        FloatVector x = FloatVector.fromArray(F, src, i).mul(negate ? -1f : 1f).sub(shift);
        FloatVector c = x.min(EXP_MAX).max(EXP_MIN);
        FloatVector n = c.fma(LOG2E, ROUNDER).sub(ROUNDER);
        FloatVector r = n.neg().fma(FloatVector.broadcast(F, LN2_HI), c);
        r = n.neg().fma(FloatVector.broadcast(F, LN2_LO), r);
        FloatVector p = r.fma(C7, C6);
        p = p.fma(r, FloatVector.broadcast(F, C5));
        p = p.fma(r, FloatVector.broadcast(F, C4));
        p = p.fma(r, FloatVector.broadcast(F, C3));
        p = p.fma(r, FloatVector.broadcast(F, C2));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        IntVector scale = ((IntVector) n.convertShape(VectorOperators.F2I, I32, 0)).add(127).lanewise(VectorOperators.LSHL, 23);
        FloatVector e = p.mul(scale.reinterpretAsFloats());
        e.blend(0f, x.compare(VectorOperators.LT, EXP_MIN)).intoArray(dst, j);
    }

    /** The scalar twin of {@link #expInto}: the same operations, so the same bits. */
    public static float exp(float x) {
        float c = Math.max(Math.min(x, EXP_MAX), EXP_MIN);
        float n = Math.fma(c, LOG2E, ROUNDER) - ROUNDER;
        float r = Math.fma(-n, LN2_HI, c);
        r = Math.fma(-n, LN2_LO, r);
        float p = Math.fma(r, C7, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        float e = p * Float.intBitsToFloat(((int) n + 127) << 23);
        return x < EXP_MIN ? 0f : e;
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
