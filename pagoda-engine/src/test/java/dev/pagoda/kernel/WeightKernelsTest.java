package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import dev.pagoda.model.loader.TensorData;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused weight kernels against a scalar reference: decoding is exact (bitwise equal to a
 * scalar decoder), every kernel shape gives bitwise the result of a scalar loop that follows the
 * documented reduction order, and that result is within a rounding bound of the float64 dot.
 */
class WeightKernelsTest {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int L = VectorMath.L;

    /** Random weights of the given format with rows × cols values, their exact F32 values and (Q8_0, Q4_0) block scales. */
    record Weights(WeightMatrix matrix, float[][] values, float[][] scales) {
    }

    static Weights random(Arena arena, DType type, int rows, int cols, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MemorySegment seg = arena.allocate(type.bytesFor((long) rows * cols), 64);
        float[][] v = new float[rows][cols];
        float[][] scales = new float[rows][cols / 32];
        long off = 0;
        for (int r = 0; r < rows; r++) {
            switch (type) {
                case F32 -> {
                    for (int i = 0; i < cols; i++, off += 4) {
                        v[r][i] = (float) rnd.nextGaussian();
                        seg.set(LE_FLOAT, off, v[r][i]);
                    }
                }
                case F16 -> {
                    for (int i = 0; i < cols; i++, off += 2) {
                        short h = Float.floatToFloat16((float) rnd.nextGaussian());
                        seg.set(LE_SHORT, off, h);
                        v[r][i] = Float.float16ToFloat(h);
                    }
                }
                case BF16 -> {
                    for (int i = 0; i < cols; i++, off += 2) {
                        short b = VectorMath.toBf16((float) rnd.nextGaussian());
                        seg.set(LE_SHORT, off, b);
                        v[r][i] = Float.intBitsToFloat(b << 16);
                    }
                }
                case Q8_0, Q4_0 -> {
                    boolean q8 = type == DType.Q8_0;
                    for (int b = 0; b < cols / 32; b++) {
                        short dh = Float.floatToFloat16((float) (0.01 + rnd.nextDouble() * 0.05));
                        float d = Float.float16ToFloat(dh);
                        scales[r][b] = d;
                        seg.set(LE_SHORT, off, dh);
                        for (int j = 0; j < 32; j++) {
                            int q = q8 ? rnd.nextInt(-128, 128) : rnd.nextInt(16);
                            v[r][32 * b + j] = (q8 ? q : q - 8) * d;
                            if (q8) seg.set(ValueLayout.JAVA_BYTE, off + 2 + j, (byte) q);
                            else {
                                long at = off + 2 + (j % 16);
                                byte old = seg.get(ValueLayout.JAVA_BYTE, at);
                                seg.set(ValueLayout.JAVA_BYTE, at, (byte) (j < 16 ? (old & 0xF0) | q : (old & 0x0F) | (q << 4)));
                            }
                        }
                        off += q8 ? 34 : 18;
                    }
                }
            }
        }
        return new Weights(WeightMatrix.of(new TensorData("w", type, new long[]{rows, cols}, seg)), v, scales);
    }

    /** The format's documented order, written with scalars. */
    static float reference(DType type, Weights w, int r, float[] x, int xo) {
        return type == DType.Q8_0 ? blockScaledReference(w.values()[r], w.scales()[r], x, xo) : laneSumReference(w.values()[r], x, xo);
    }

    /** {@link LaneSumMatrix}'s order: L lane accumulators over whole chunks, the halving tree, the tail. */
    static float laneSumReference(float[] w, float[] x, int xo) {
        float[] lanes = new float[L];
        int i = 0;
        for (; i + L <= w.length; i += L) {
            for (int j = 0; j < L; j++) lanes[j] = Math.fma(w[i + j], x[xo + i + j], lanes[j]);
        }
        for (int width = L / 2; width >= 4; width /= 2) {
            for (int j = 0; j < width; j++) lanes[j] += lanes[j + width];
        }
        float sum = ((lanes[0] + lanes[1]) + lanes[2]) + lanes[3];
        for (; i < w.length; i++) sum = Math.fma(w[i], x[xo + i], sum);
        return sum;
    }

    /**
     * {@link Q8_0Matrix}'s order: per 32-value block the products q·x summed from 0 in column
     * order, then the block sums times their scales added from 0 in block order (q = value / d
     * is exact: the values are q·d).
     */
    static float blockScaledReference(float[] w, float[] scales, float[] x, int xo) {
        float acc = 0;
        for (int b = 0; b < w.length / 32; b++) {
            float s = 0;
            for (int c = 0; c < 32; c++) s = Math.fma(w[32 * b + c] / scales[b], x[xo + 32 * b + c], s);
            acc = Math.fma(s, scales[b], acc);
        }
        return acc;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyKernelShapeFollowsTheOneOrder(DType type) {
        checkKernelShapes(type, false);
    }

    /** The packed layouts (a copy of the row-major matrix) change where weights are read, never the sums. */
    @ParameterizedTest
    @EnumSource(DType.class)
    void packedLayoutsFollowTheOneOrder(DType type) {
        checkKernelShapes(type, true);
    }

    private void checkKernelShapes(DType type, boolean packed) {
        // 9L + 13 rows: Q8_0's four-tile decode kernel over two tiles of each quarter, then a whole
        // tile and a partial one alone; its batch kernels take the first eight tiles in pairs, then
        // the ninth and the partial tile alone.
        int rows = 9 * L + 13, cols = type.isQuantized() ? 160 : 16 * 9 + 7;
        int m = 15;
        try (Arena arena = Arena.ofShared()) {
            Weights rowMajor = random(arena, type, rows, cols, 1);
            Weights w = packed
                    ? new Weights(rowMajor.matrix().packInto(arena.allocate(rowMajor.matrix().packedBytes(), 64)), rowMajor.values(), rowMajor.scales())
                    : rowMajor;
            SplittableRandom rnd = new SplittableRandom(2);
            float[] x = new float[m * cols + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            float[] decoded = new float[cols];
            for (int r = 0; r < rows; r++) {
                w.matrix().decodeRow(r, decoded, 0);
                for (int i = 0; i < cols; i++) assertEquals(w.values()[r][i], decoded[i], "decode " + r + "," + i);
            }
            // m = 15 runs 4×4 blocks, leftover tokens 8 rows at a time (then 4) and leftover rows alone
            // (packed F32/BF16: each tile's first two tokens and a leftover pair as 8 rows × 2 tokens;
            // Q8_0: 8 tokens over two tiles, then 4, then the three left together);
            // then each token alone and each row alone: all must give bitwise the reference.
            float[] all = new float[m * rows];
            w.matrix().multiply(0, rows, x, cols, 0, m, all, rows, new float[WeightMatrix.LANES_SCRATCH]);
            // The first 14 and 13 tokens: Q8_0's kernels for two and for one token left.
            for (int fewer = m - 2; fewer < m; fewer++) {
                float[] part = new float[fewer * rows];
                w.matrix().multiply(0, rows, x, cols, 0, fewer, part, rows, new float[WeightMatrix.LANES_SCRATCH]);
                for (int i = 0; i < part.length; i++) {
                    assertEquals(Float.floatToRawIntBits(all[i]), Float.floatToRawIntBits(part[i]), type + " " + fewer + " tokens, r" + i % rows + " t" + i / rows);
                }
            }
            for (int t = 0; t < m; t++) {
                float[] one = new float[rows];
                float[] shifted = new float[cols];
                System.arraycopy(x, t * cols, shifted, 0, cols);
                w.matrix().multiply(0, rows, shifted, cols, 0, 1, one, rows, new float[WeightMatrix.LANES_SCRATCH]);
                for (int r = 0; r < rows; r++) {
                    float expected = reference(type, w, r, x, t * cols);
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(all[t * rows + r]), type + " batched r" + r + " t" + t);
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(one[r]), type + " alone r" + r + " t" + t);
                    float single = w.matrix().dot(r, x, t * cols);
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(single), type + " dot r" + r + " t" + t);
                    double exact = 0, magnitude = 0;
                    for (int i = 0; i < cols; i++) {
                        exact += (double) w.values()[r][i] * x[t * cols + i];
                        magnitude += Math.abs((double) w.values()[r][i] * x[t * cols + i]);
                    }
                    assertTrue(Math.abs(expected - exact) <= cols * 0x1p-24 * magnitude, "rounding bound " + type);
                }
            }
        }
    }

    @Test
    void halfPrecisionWideningIsExactForEveryNumber() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(2L * 65536, 64);
            for (int h = 0; h < 65536; h++) seg.setAtIndex(LE_SHORT, h, (short) h);
            for (int h = 0; h < 65536; h += L) {
                FloatVector v = VectorMath.f16(seg, 2L * h);
                for (int j = 0; j < L; j++) {
                    float expected = Float.float16ToFloat((short) (h + j));
                    if (Float.isNaN(expected)) assertTrue(Float.isNaN(v.lane(j)), "half 0x" + Integer.toHexString(h + j));
                    else assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(v.lane(j)), "half 0x" + Integer.toHexString(h + j));
                }
            }
        }
    }
}
