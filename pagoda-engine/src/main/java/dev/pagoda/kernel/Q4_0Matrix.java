package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * GGML Q4_0: blocks of 32 values, an F16 scale d then 16 bytes; byte j holds value j in its low
 * nibble and value j+16 in its high nibble, each offset by 8: value = d·(nibble − 8).
 */
public final class Q4_0Matrix extends LaneSumMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = F.length();
    /** L bytes: one chunk's worth, widened to L floats. */
    private static final VectorSpecies<Byte> BL = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L));
    private static final int BLOCK_BYTES = 18;
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Chunks per 16-value half of a block. */
    private static final int PER_HALF = 16 / L;

    Q4_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.Q4_0);
    }

    private float scale(long block) {
        return Float.float16ToFloat(data.get(LE_SHORT, block));
    }

    /**
     * Values [k·L, (k+1)·L) of the block at byte offset {@code block} (low nibbles, shift 0) or
     * [16 + k·L, 16 + (k+1)·L) (high nibbles, shift 4), as exact floats (q − 8)·d. x86 has no
     * byte-lane shift, so the bytes are shifted as 16-bit lanes and masked; callers pass a
     * constant shift in separate low and high loops.
     */
    private FloatVector chunk(long block, float d, int k, int shift) {
        ByteVector packed = ByteVector.fromMemorySegment(BL, data, block + 2 + (long) k * L, ByteOrder.LITTLE_ENDIAN);
        ByteVector q = packed.reinterpretAsShorts().lanewise(VectorOperators.LSHR, shift).reinterpretAsBytes().and((byte) 0x0F);
        return ((FloatVector) q.sub((byte) 8).convertShape(VectorOperators.B2F, F, 0)).mul(d);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        long block = row * rowBytes;
        for (int b = 0; b < cols / 32; b++, block += BLOCK_BYTES) {
            float d = scale(block);
            for (int k = 0; k < PER_HALF; k++) chunk(block, d, k, 0).intoArray(dst, off + 32 * b + k * L);
            for (int k = 0; k < PER_HALF; k++) chunk(block, d, k, 4).intoArray(dst, off + 32 * b + 16 + k * L);
        }
    }

    /**
     * Four 1-row passes, each its own compiled method. C2 stops inlining into a method once its
     * parse graph passes a fixed node count (NodeCountInliningCutoff, not settable in product
     * JVMs), and every Vector API call brings a large graph: with two rows per method the fourth
     * nibble decode was left as a call and its vectors were boxed (matrix-matrix 15 GFLOP/s on
     * one thread in a harness, against 40 for one row per method).
     */
    @Override
    void block4x4(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] lanes) {
        for (int i = 0; i < 4; i++) row1x4(r + i, x, xo, xStride, lanes, 4 * i * L);
        finishBlock(lanes, 4, 4, cols, r, x, xo, xStride, out, oo, outStride);
    }

    /** Row r times 4 activation rows; accumulator (token j) to lanes[lo + j·L]. */
    private void row1x4(int r, float[] x, int xo, int xStride, float[] lanes, int lo) {
        long b0 = r * rowBytes;
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < cols; i += 32, b0 += BLOCK_BYTES) {
            float d0 = scale(b0);
            for (int k = 0; k < PER_HALF; k++) {
                int c = i + k * L;
                FloatVector w = chunk(b0, d0, k, 0);
                a0 = w.fma(FloatVector.fromArray(F, x, xo + c), a0);
                a1 = w.fma(FloatVector.fromArray(F, x, xo1 + c), a1);
                a2 = w.fma(FloatVector.fromArray(F, x, xo2 + c), a2);
                a3 = w.fma(FloatVector.fromArray(F, x, xo3 + c), a3);
            }
            for (int k = 0; k < PER_HALF; k++) {
                int c = i + 16 + k * L;
                FloatVector w = chunk(b0, d0, k, 4);
                a0 = w.fma(FloatVector.fromArray(F, x, xo + c), a0);
                a1 = w.fma(FloatVector.fromArray(F, x, xo1 + c), a1);
                a2 = w.fma(FloatVector.fromArray(F, x, xo2 + c), a2);
                a3 = w.fma(FloatVector.fromArray(F, x, xo3 + c), a3);
            }
        }
        a0.intoArray(lanes, lo); a1.intoArray(lanes, lo + L); a2.intoArray(lanes, lo + 2 * L); a3.intoArray(lanes, lo + 3 * L);
    }

    @Override
    void block4x1(int r, float[] x, int xo, float[] out, int oo) {
        rows2x1(r, x, xo, out, oo);
        rows2x1(r + 2, x, xo, out, oo + 2);
    }

    private void rows2x1(int r, float[] x, int xo, float[] out, int oo) {
        long b0 = r * rowBytes, b1 = b0 + rowBytes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int i = 0; i < cols; i += 32, b0 += BLOCK_BYTES, b1 += BLOCK_BYTES) {
            float d0 = scale(b0), d1 = scale(b1);
            for (int k = 0; k < PER_HALF; k++) {
                FloatVector x0 = FloatVector.fromArray(F, x, xo + i + k * L);
                a0 = chunk(b0, d0, k, 0).fma(x0, a0);
                a1 = chunk(b1, d1, k, 0).fma(x0, a1);
            }
            for (int k = 0; k < PER_HALF; k++) {
                FloatVector x0 = FloatVector.fromArray(F, x, xo + i + 16 + k * L);
                a0 = chunk(b0, d0, k, 4).fma(x0, a0);
                a1 = chunk(b1, d1, k, 4).fma(x0, a1);
            }
        }
        out[oo] = VectorMath.sumLanes(a0);
        out[oo + 1] = VectorMath.sumLanes(a1);
    }

    @Override
    float dot(int r, float[] x, int xo) {
        long b0 = r * rowBytes;
        FloatVector a0 = FloatVector.zero(F);
        for (int i = 0; i < cols; i += 32, b0 += BLOCK_BYTES) {
            float d0 = scale(b0);
            for (int k = 0; k < PER_HALF; k++) a0 = chunk(b0, d0, k, 0).fma(FloatVector.fromArray(F, x, xo + i + k * L), a0);
            for (int k = 0; k < PER_HALF; k++) a0 = chunk(b0, d0, k, 4).fma(FloatVector.fromArray(F, x, xo + i + 16 + k * L), a0);
        }
        return VectorMath.sumLanes(a0);
    }

    @Override
    float weight(int row, int col) {
        throw new AssertionError("quantized rows have no tail columns");
    }

    @Override
    public DType type() {
        return DType.Q4_0;
    }
}
