package dev.pagoda.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Attention's two loops over one KV block of one head: the scores q·K_j of its slots, and
 * acc += p_j · V_j over them.
 *
 * <p><b>Keys are stored transposed</b> within a block and head ({@link #keyIndex}): for each
 * dimension d, the block's slots side by side. One vector load is then dimension d of L slots,
 * multiplied by q_d broadcast to every lane, and a slot's score is an FMA chain over d = 0, 1,
 * ... in its own lane: no lane sums at all. With keys stored slot by slot, each slot's 64-float
 * dot product ended in a tree of shuffles and lane extractions, and each BF16 row was widened by
 * a cross-lane conversion: about 70 cycles a slot on the test machine. BF16 keys also pair
 * neighbouring dimensions in one 32-bit word, so that one integer load widens to two
 * dimensions' floats by a shift and a mask. Four groups of L slots run at once (four chains, to
 * cover the FMA latency). Lanes past the block's last valid slot compute on whatever the slots
 * hold and are ignored: every lane is its own slot, so they cannot touch the valid ones.
 *
 * <p><b>Values stay slot by slot</b>, and the accumulator stays in registers across the block's
 * slots (adding into memory waited for the previous slot's store).
 *
 * <p>Either way each output element has one fixed order (d ascending for a score, slots
 * ascending for a sum), whatever the slot's place in a vector: the scalar paths (block sizes not
 * a multiple of L, head sizes not a multiple of L) give the same bits.
 *
 * <p>The kernels call no helper of ours that returns a vector. The engine's attention loop
 * inlines these methods, and once its inlining budget ran out C2 left a small helper such as
 * {@code VectorMath.bf16} as a call — to a version compiled early with the Vector API's Java
 * fallback, which allocates. In a 512-token prefill that made attention a third of the time;
 * the JDK's own vector methods are always inlined.
 */
public final class AttentionMath {
    private static final int L = VectorMath.L;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final VectorSpecies<Integer> I = VectorMath.I32;
    private static final VectorSpecies<Short> S = VectorMath.S16;
    /** The high half of each 32-bit word: the odd dimension of a BF16 key pair, as a float. */
    private static final int HIGH = 0xFFFF0000;

    private AttentionMath() {
    }

    /**
     * Element index of dimension d of slot s, for the keys of a block whose head (kv head h's
     * part of the block) starts at element {@code head}: F32 [d][s], BF16 [d / 2][s][d % 2].
     */
    public static long keyIndex(long head, int blockSize, boolean bf16, int d, int s) {
        return bf16 ? head + (long) (d & ~1) * blockSize + 2L * s + (d & 1) : head + (long) d * blockSize + s;
    }

    /**
     * s[j] = scale · Σ_d q[qOff + d] · K[d][j] for slots j in [0, count) of the head's keys at
     * element {@code head} (see {@link #keyIndex}; hd even for BF16); returns the largest. Writes s up to count
     * rounded up to L, which is at most {@code blockSize} when vectors are used.
     */
    public static float scores(float[] q, int qOff, MemorySegment keys, boolean bf16, long head, int blockSize, int count,
                               int hd, float scale, float[] s) {
        if (blockSize % L != 0) {
            for (int j = 0; j < count; j++) s[j] = scalarScore(q, qOff, keys, bf16, head, blockSize, j, hd) * scale;
        } else {
            int groups = (count + L - 1) / L, g = 0;
            for (; g + 4 <= groups; g += 4) {
                if (bf16) scores4Bf16(q, qOff, keys, head, blockSize, g * L, hd, scale, s);
                else scores4F32(q, qOff, keys, head, blockSize, g * L, hd, scale, s);
            }
            for (; g < groups; g++) scores1(q, qOff, keys, bf16, head, blockSize, g * L, hd, scale, s);
        }
        // The largest is the same whatever the order of comparison; whole vectors first (a scalar
        // Math.max chain cost about a cycle per slot more than the rest of the scores).
        FloatVector maxes = FloatVector.broadcast(VectorMath.F, Float.NEGATIVE_INFINITY);
        int j = 0;
        for (; j + L <= count; j += L) maxes = maxes.max(FloatVector.fromArray(VectorMath.F, s, j));
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; j < count; j++) max = Math.max(max, s[j]);
        return max;
    }

    /** Slot j's score without vectors, in the same order as the vector lanes (d ascending, FMA). */
    private static float scalarScore(float[] q, int qOff, MemorySegment keys, boolean bf16, long head, int blockSize, int j, int hd) {
        float acc = 0;
        for (int d = 0; d < hd; d++) {
            long i = keyIndex(head, blockSize, bf16, d, j);
            float k = bf16 ? Float.intBitsToFloat(keys.get(VectorMath.LE_SHORT, 2 * i) << 16) : keys.get(VectorMath.LE_FLOAT, 4 * i);
            acc = Math.fma(k, q[qOff + d], acc);
        }
        return acc;
    }

    /** Slots [j0, j0 + 4L) from F32 keys: four chains over d. */
    private static void scores4F32(float[] q, int qOff, MemorySegment keys, long head, int bs, int j0, int hd, float scale, float[] s) {
        FloatVector a0 = FloatVector.zero(VectorMath.F), a1 = a0, a2 = a0, a3 = a0;
        for (int d = 0; d < hd; d++) {
            FloatVector qd = FloatVector.broadcast(VectorMath.F, q[qOff + d]);
            long off = 4 * (head + (long) d * bs + j0);
            a0 = FloatVector.fromMemorySegment(VectorMath.F, keys, off, LE).fma(qd, a0);
            a1 = FloatVector.fromMemorySegment(VectorMath.F, keys, off + 4 * L, LE).fma(qd, a1);
            a2 = FloatVector.fromMemorySegment(VectorMath.F, keys, off + 8 * L, LE).fma(qd, a2);
            a3 = FloatVector.fromMemorySegment(VectorMath.F, keys, off + 12 * L, LE).fma(qd, a3);
        }
        a0.mul(scale).intoArray(s, j0);
        a1.mul(scale).intoArray(s, j0 + L);
        a2.mul(scale).intoArray(s, j0 + 2 * L);
        a3.mul(scale).intoArray(s, j0 + 3 * L);
    }

    /** Slots [j0, j0 + 4L) from BF16 keys: each integer load is dimensions d and d + 1 of L slots. */
    private static void scores4Bf16(float[] q, int qOff, MemorySegment keys, long head, int bs, int j0, int hd, float scale, float[] s) {
        FloatVector a0 = FloatVector.zero(VectorMath.F), a1 = a0, a2 = a0, a3 = a0;
        for (int d = 0; d < hd; d += 2) {
            FloatVector qe = FloatVector.broadcast(VectorMath.F, q[qOff + d]), qo = FloatVector.broadcast(VectorMath.F, q[qOff + d + 1]);
            long off = 2 * (head + (long) d * bs + 2L * j0);
            IntVector p0 = IntVector.fromMemorySegment(I, keys, off, LE), p1 = IntVector.fromMemorySegment(I, keys, off + 4 * L, LE),
                    p2 = IntVector.fromMemorySegment(I, keys, off + 8 * L, LE), p3 = IntVector.fromMemorySegment(I, keys, off + 12 * L, LE);
            a0 = p0.and(HIGH).reinterpretAsFloats().fma(qo, p0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(qe, a0));
            a1 = p1.and(HIGH).reinterpretAsFloats().fma(qo, p1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(qe, a1));
            a2 = p2.and(HIGH).reinterpretAsFloats().fma(qo, p2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(qe, a2));
            a3 = p3.and(HIGH).reinterpretAsFloats().fma(qo, p3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(qe, a3));
        }
        a0.mul(scale).intoArray(s, j0);
        a1.mul(scale).intoArray(s, j0 + L);
        a2.mul(scale).intoArray(s, j0 + 2 * L);
        a3.mul(scale).intoArray(s, j0 + 3 * L);
    }

    /** Slots [j0, j0 + L), one chain (the last groups of a block). */
    private static void scores1(float[] q, int qOff, MemorySegment keys, boolean bf16, long head, int bs, int j0, int hd, float scale, float[] s) {
        FloatVector a = FloatVector.zero(VectorMath.F);
        if (bf16) {
            for (int d = 0; d < hd; d += 2) {
                IntVector p = IntVector.fromMemorySegment(I, keys, 2 * (head + (long) d * bs + 2L * j0), LE);
                a = p.and(HIGH).reinterpretAsFloats().fma(FloatVector.broadcast(VectorMath.F, q[qOff + d + 1]),
                        p.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.broadcast(VectorMath.F, q[qOff + d]), a));
            }
        } else {
            for (int d = 0; d < hd; d++) {
                a = FloatVector.fromMemorySegment(VectorMath.F, keys, 4 * (head + (long) d * bs + j0), LE).fma(FloatVector.broadcast(VectorMath.F, q[qOff + d]), a);
            }
        }
        a.mul(scale).intoArray(s, j0);
    }

    /**
     * acc[0..n) += Σ_j p[j] · V_j over the {@code count} rows V_j at element index
     * {@code base + j·stride} of {@code values}, added row after row (each element's order is
     * slot order, as one row at a time).
     */
    public static void accumulate(float[] acc, MemorySegment values, boolean bf16, long base, int stride, int count,
                                  int n, float[] p) {
        if (n % L != 0) {
            for (int j = 0; j < count; j++) {
                long row = base + (long) j * stride;
                if (bf16) VectorMath.addScaledBf16(acc, values, row, p[j], n);
                else VectorMath.addScaled(acc, values, row, p[j], n);
            }
            return;
        }
        int d = 0;
        for (; d + 4 * L <= n; d += 4 * L) {
            if (bf16) accumulate4Bf16(acc, d, values, base + d, stride, count, p);
            else accumulate4F32(acc, d, values, base + d, stride, count, p);
        }
        for (; d < n; d += L) accumulate1(acc, d, values, bf16, base + d, stride, count, p);
    }

    /** acc[d..d+4L) += Σ_j p[j] · BF16 row j from element index {@code index + j·stride}, four accumulators in registers. */
    private static void accumulate4Bf16(float[] acc, int d, MemorySegment v, long index, int stride, int count, float[] p) {
        FloatVector a0 = FloatVector.fromArray(VectorMath.F, acc, d), a1 = FloatVector.fromArray(VectorMath.F, acc, d + L),
                a2 = FloatVector.fromArray(VectorMath.F, acc, d + 2 * L), a3 = FloatVector.fromArray(VectorMath.F, acc, d + 3 * L);
        for (int j = 0; j < count; j++) {
            long off = 2 * (index + (long) j * stride);
            FloatVector w = FloatVector.broadcast(VectorMath.F, p[j]);
            a0 = ((IntVector) ShortVector.fromMemorySegment(S, v, off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a0);
            a1 = ((IntVector) ShortVector.fromMemorySegment(S, v, off + 2 * L, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a1);
            a2 = ((IntVector) ShortVector.fromMemorySegment(S, v, off + 4 * L, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a2);
            a3 = ((IntVector) ShortVector.fromMemorySegment(S, v, off + 6 * L, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(w, a3);
        }
        a0.intoArray(acc, d);
        a1.intoArray(acc, d + L);
        a2.intoArray(acc, d + 2 * L);
        a3.intoArray(acc, d + 3 * L);
    }

    /** {@link #accumulate4Bf16} for F32 rows. */
    private static void accumulate4F32(float[] acc, int d, MemorySegment v, long index, int stride, int count, float[] p) {
        FloatVector a0 = FloatVector.fromArray(VectorMath.F, acc, d), a1 = FloatVector.fromArray(VectorMath.F, acc, d + L),
                a2 = FloatVector.fromArray(VectorMath.F, acc, d + 2 * L), a3 = FloatVector.fromArray(VectorMath.F, acc, d + 3 * L);
        for (int j = 0; j < count; j++) {
            long off = 4 * (index + (long) j * stride);
            FloatVector w = FloatVector.broadcast(VectorMath.F, p[j]);
            a0 = FloatVector.fromMemorySegment(VectorMath.F, v, off, LE).fma(w, a0);
            a1 = FloatVector.fromMemorySegment(VectorMath.F, v, off + 4 * L, LE).fma(w, a1);
            a2 = FloatVector.fromMemorySegment(VectorMath.F, v, off + 8 * L, LE).fma(w, a2);
            a3 = FloatVector.fromMemorySegment(VectorMath.F, v, off + 12 * L, LE).fma(w, a3);
        }
        a0.intoArray(acc, d);
        a1.intoArray(acc, d + L);
        a2.intoArray(acc, d + 2 * L);
        a3.intoArray(acc, d + 3 * L);
    }

    /** acc[d..d+L) += Σ_j p[j] · row j (heads whose size is not a multiple of 4L end with these). */
    private static void accumulate1(float[] acc, int d, MemorySegment v, boolean bf16, long index, int stride, int count, float[] p) {
        // One loop per format: a vector chosen by a branch is one C2 may box.
        FloatVector a = FloatVector.fromArray(VectorMath.F, acc, d);
        if (bf16) {
            for (int j = 0; j < count; j++) {
                long off = 2 * (index + (long) j * stride);
                a = ((IntVector) ShortVector.fromMemorySegment(S, v, off, LE).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.broadcast(VectorMath.F, p[j]), a);
            }
        } else {
            for (int j = 0; j < count; j++) {
                a = FloatVector.fromMemorySegment(VectorMath.F, v, 4 * (index + (long) j * stride), LE).fma(FloatVector.broadcast(VectorMath.F, p[j]), a);
            }
        }
        a.intoArray(acc, d);
    }
}
