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
public final class Q4_0Matrix extends WeightMatrix {
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
     * Two 2-row halves, each its own compiled method: with four rows' low and high nibble loops in
     * one method, C2 reached its node-count limit and stopped inlining the decoding.
     */
    @Override
    void block4x4(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] lanes) {
        rows2x4(r, x, xo, xStride, lanes, 0);
        rows2x4(r + 2, x, xo, xStride, lanes, 8 * L);
        finish4x4(lanes, cols, r, x, xo, xStride, out, oo, outStride);
    }

    /** Rows r, r+1 times 4 activation rows; accumulator (row i, token j) to lanes[lo + (4i + j)·L]. */
    private void rows2x4(int r, float[] x, int xo, int xStride, float[] lanes, int lo) {
        long b0 = r * rowBytes, b1 = b0 + rowBytes;
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int i = 0; i < cols; i += 32, b0 += BLOCK_BYTES, b1 += BLOCK_BYTES) {
            float d0 = scale(b0), d1 = scale(b1);
            for (int k = 0; k < PER_HALF; k++) {
                int c = i + k * L;
                FloatVector x0 = FloatVector.fromArray(F, x, xo + c), x1 = FloatVector.fromArray(F, x, xo1 + c),
                        x2 = FloatVector.fromArray(F, x, xo2 + c), x3 = FloatVector.fromArray(F, x, xo3 + c);
                FloatVector w = chunk(b0, d0, k, 0);
                a00 = w.fma(x0, a00); a01 = w.fma(x1, a01); a02 = w.fma(x2, a02); a03 = w.fma(x3, a03);
                w = chunk(b1, d1, k, 0);
                a10 = w.fma(x0, a10); a11 = w.fma(x1, a11); a12 = w.fma(x2, a12); a13 = w.fma(x3, a13);
            }
            for (int k = 0; k < PER_HALF; k++) {
                int c = i + 16 + k * L;
                FloatVector x0 = FloatVector.fromArray(F, x, xo + c), x1 = FloatVector.fromArray(F, x, xo1 + c),
                        x2 = FloatVector.fromArray(F, x, xo2 + c), x3 = FloatVector.fromArray(F, x, xo3 + c);
                FloatVector w = chunk(b0, d0, k, 4);
                a00 = w.fma(x0, a00); a01 = w.fma(x1, a01); a02 = w.fma(x2, a02); a03 = w.fma(x3, a03);
                w = chunk(b1, d1, k, 4);
                a10 = w.fma(x0, a10); a11 = w.fma(x1, a11); a12 = w.fma(x2, a12); a13 = w.fma(x3, a13);
            }
        }
        a00.intoArray(lanes, lo); a01.intoArray(lanes, lo + L); a02.intoArray(lanes, lo + 2 * L); a03.intoArray(lanes, lo + 3 * L);
        a10.intoArray(lanes, lo + 4 * L); a11.intoArray(lanes, lo + 5 * L); a12.intoArray(lanes, lo + 6 * L); a13.intoArray(lanes, lo + 7 * L);
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
