package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
    private static final int CHUNKS = 32 / L;
    private static final int BLOCK_BYTES = 18;
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Chunks per 16-value half of a block. */
    private static final int PER_HALF = 16 / L;
    private static final VectorSpecies<Integer> I = VectorMath.I32;

    Q4_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.Q4_0);
    }

    private float scale(long block) {
        return Float.float16ToFloat(data.get(LE_SHORT, block));
    }

    /**
     * Values [j·L, (j+1)·L) of the block at byte offset {@code block}, as exact floats (q − 8)·d:
     * the first 16 values are the low nibbles of the 16 bytes, the next 16 the high nibbles.
     */
    private FloatVector chunk(long block, float d, int j) {
        IntVector packed = (IntVector) ByteVector.fromMemorySegment(BL, data, block + 2 + (long) (j % PER_HALF) * L, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, I, 0);
        // Nibbles are taken from sign-extended ints (byte-lane shifts have no x86 instruction), with
        // a scalar shift count: choosing between two vector expressions made C2 box them.
        IntVector q = packed.lanewise(VectorOperators.ASHR, j < PER_HALF ? 0 : 4).and(0x0F);
        return ((FloatVector) q.sub(8).convertShape(VectorOperators.I2F, F, 0)).mul(d);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        long block = row * rowBytes;
        for (int b = 0; b < cols / 32; b++, block += BLOCK_BYTES) {
            float d = scale(block);
            for (int j = 0; j < CHUNKS; j++) chunk(block, d, j).intoArray(dst, off + 32 * b + j * L);
        }
    }

    @Override
    void block4x4(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride) {
        long b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00,
                a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int i = 0; i < cols; i += 32, b0 += BLOCK_BYTES, b1 += BLOCK_BYTES, b2 += BLOCK_BYTES, b3 += BLOCK_BYTES) {
            float d0 = scale(b0), d1 = scale(b1), d2 = scale(b2), d3 = scale(b3);
            for (int j = 0; j < CHUNKS; j++) {
                int c = i + j * L;
                FloatVector x0 = FloatVector.fromArray(F, x, xo + c), x1 = FloatVector.fromArray(F, x, xo1 + c),
                        x2 = FloatVector.fromArray(F, x, xo2 + c), x3 = FloatVector.fromArray(F, x, xo3 + c);
                FloatVector w = chunk(b0, d0, j);
                a00 = w.fma(x0, a00); a01 = w.fma(x1, a01); a02 = w.fma(x2, a02); a03 = w.fma(x3, a03);
                w = chunk(b1, d1, j);
                a10 = w.fma(x0, a10); a11 = w.fma(x1, a11); a12 = w.fma(x2, a12); a13 = w.fma(x3, a13);
                w = chunk(b2, d2, j);
                a20 = w.fma(x0, a20); a21 = w.fma(x1, a21); a22 = w.fma(x2, a22); a23 = w.fma(x3, a23);
                w = chunk(b3, d3, j);
                a30 = w.fma(x0, a30); a31 = w.fma(x1, a31); a32 = w.fma(x2, a32); a33 = w.fma(x3, a33);
            }
        }
        int o1 = oo + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
        out[oo] = VectorMath.sumLanes(a00); out[o1] = VectorMath.sumLanes(a01);
        out[o2] = VectorMath.sumLanes(a02); out[o3] = VectorMath.sumLanes(a03);
        out[oo + 1] = VectorMath.sumLanes(a10); out[o1 + 1] = VectorMath.sumLanes(a11);
        out[o2 + 1] = VectorMath.sumLanes(a12); out[o3 + 1] = VectorMath.sumLanes(a13);
        out[oo + 2] = VectorMath.sumLanes(a20); out[o1 + 2] = VectorMath.sumLanes(a21);
        out[o2 + 2] = VectorMath.sumLanes(a22); out[o3 + 2] = VectorMath.sumLanes(a23);
        out[oo + 3] = VectorMath.sumLanes(a30); out[o1 + 3] = VectorMath.sumLanes(a31);
        out[o2 + 3] = VectorMath.sumLanes(a32); out[o3 + 3] = VectorMath.sumLanes(a33);
    }

    @Override
    void block4x1(int r, float[] x, int xo, float[] out, int oo) {
        long b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < cols; i += 32, b0 += BLOCK_BYTES, b1 += BLOCK_BYTES, b2 += BLOCK_BYTES, b3 += BLOCK_BYTES) {
            float d0 = scale(b0), d1 = scale(b1), d2 = scale(b2), d3 = scale(b3);
            for (int j = 0; j < CHUNKS; j++) {
                FloatVector x0 = FloatVector.fromArray(F, x, xo + i + j * L);
                a0 = chunk(b0, d0, j).fma(x0, a0);
                a1 = chunk(b1, d1, j).fma(x0, a1);
                a2 = chunk(b2, d2, j).fma(x0, a2);
                a3 = chunk(b3, d3, j).fma(x0, a3);
            }
        }
        out[oo] = VectorMath.sumLanes(a0);
        out[oo + 1] = VectorMath.sumLanes(a1);
        out[oo + 2] = VectorMath.sumLanes(a2);
        out[oo + 3] = VectorMath.sumLanes(a3);
    }

    @Override
    float dot(int r, float[] x, int xo) {
        long b0 = r * rowBytes;
        FloatVector a0 = FloatVector.zero(F);
        for (int i = 0; i < cols; i += 32, b0 += BLOCK_BYTES) {
            float d0 = scale(b0);
            for (int j = 0; j < CHUNKS; j++) a0 = chunk(b0, d0, j).fma(FloatVector.fromArray(F, x, xo + i + j * L), a0);
        }
        return VectorMath.sumLanes(a0);
    }

    @Override
    public DType type() {
        return DType.Q4_0;
    }
}
