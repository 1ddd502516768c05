package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** bfloat16 weights: a value is the top half of a float, widened by a 16-bit shift (exact). */
public final class BF16Matrix extends ChunkedMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    BF16Matrix(String name, int rows, int cols, MemorySegment data, boolean packed) {
        super(name, rows, cols, data, DType.BF16, 2, packed);
    }

    @Override
    ChunkedMatrix over(MemorySegment data, boolean packed) {
        return new BF16Matrix(name, rows, cols, data, packed);
    }

    @Override
    FloatVector chunk(long offset) {
        return VectorMath.bf16(data, offset);
    }

    @Override
    void block4x4(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] lanes) {
        long b0 = base(r), b1 = base(r + 1), b2 = base(r + 2), b3 = base(r + 3);
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00,
                a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int i = 0;
        for (long o = 0; i < vecCols; i += L, o += chunkStride) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i), x1 = FloatVector.fromArray(F, x, xo1 + i),
                    x2 = FloatVector.fromArray(F, x, xo2 + i), x3 = FloatVector.fromArray(F, x, xo3 + i);
            FloatVector w = VectorMath.bf16(data, b0 + o);
            a00 = w.fma(x0, a00); a01 = w.fma(x1, a01); a02 = w.fma(x2, a02); a03 = w.fma(x3, a03);
            w = VectorMath.bf16(data, b1 + o);
            a10 = w.fma(x0, a10); a11 = w.fma(x1, a11); a12 = w.fma(x2, a12); a13 = w.fma(x3, a13);
            w = VectorMath.bf16(data, b2 + o);
            a20 = w.fma(x0, a20); a21 = w.fma(x1, a21); a22 = w.fma(x2, a22); a23 = w.fma(x3, a23);
            w = VectorMath.bf16(data, b3 + o);
            a30 = w.fma(x0, a30); a31 = w.fma(x1, a31); a32 = w.fma(x2, a32); a33 = w.fma(x3, a33);
        }
        a00.intoArray(lanes, 0); a01.intoArray(lanes, L); a02.intoArray(lanes, 2 * L); a03.intoArray(lanes, 3 * L);
        a10.intoArray(lanes, 4 * L); a11.intoArray(lanes, 5 * L); a12.intoArray(lanes, 6 * L); a13.intoArray(lanes, 7 * L);
        a20.intoArray(lanes, 8 * L); a21.intoArray(lanes, 9 * L); a22.intoArray(lanes, 10 * L); a23.intoArray(lanes, 11 * L);
        a30.intoArray(lanes, 12 * L); a31.intoArray(lanes, 13 * L); a32.intoArray(lanes, 14 * L); a33.intoArray(lanes, 15 * L);
        finish4x4(lanes, i, r, x, xo, xStride, out, oo, outStride);
    }

    @Override
    void block4x1(int r, float[] x, int xo, float[] out, int oo) {
        long b0 = base(r), b1 = base(r + 1), b2 = base(r + 2), b3 = base(r + 3);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (long o = 0; i < vecCols; i += L, o += chunkStride) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
            a0 = VectorMath.bf16(data, b0 + o).fma(x0, a0);
            a1 = VectorMath.bf16(data, b1 + o).fma(x0, a1);
            a2 = VectorMath.bf16(data, b2 + o).fma(x0, a2);
            a3 = VectorMath.bf16(data, b3 + o).fma(x0, a3);
        }
        out[oo] = finish(a0, r, x, xo);
        out[oo + 1] = finish(a1, r + 1, x, xo);
        out[oo + 2] = finish(a2, r + 2, x, xo);
        out[oo + 3] = finish(a3, r + 3, x, xo);
    }

    @Override
    void block8x1(int r, float[] x, int xo, float[] out, int oo, float[] lanes) {
        long b0 = base(r), b1 = base(r + 1), b2 = base(r + 2), b3 = base(r + 3),
                b4 = base(r + 4), b5 = base(r + 5), b6 = base(r + 6), b7 = base(r + 7);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int i = 0;
        for (long o = 0; i < vecCols; i += L, o += chunkStride) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
            a0 = VectorMath.bf16(data, b0 + o).fma(x0, a0);
            a1 = VectorMath.bf16(data, b1 + o).fma(x0, a1);
            a2 = VectorMath.bf16(data, b2 + o).fma(x0, a2);
            a3 = VectorMath.bf16(data, b3 + o).fma(x0, a3);
            a4 = VectorMath.bf16(data, b4 + o).fma(x0, a4);
            a5 = VectorMath.bf16(data, b5 + o).fma(x0, a5);
            a6 = VectorMath.bf16(data, b6 + o).fma(x0, a6);
            a7 = VectorMath.bf16(data, b7 + o).fma(x0, a7);
        }
        a0.intoArray(lanes, 0); a1.intoArray(lanes, L); a2.intoArray(lanes, 2 * L); a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L); a5.intoArray(lanes, 5 * L); a6.intoArray(lanes, 6 * L); a7.intoArray(lanes, 7 * L);
        finishRows(lanes, 8, i, r, x, xo, out, oo);
    }

    @Override
    float dot(int r, float[] x, int xo) {
        long b0 = base(r);
        FloatVector a0 = FloatVector.zero(F);
        int i = 0;
        for (long o = 0; i < vecCols; i += L, o += chunkStride) a0 = VectorMath.bf16(data, b0 + o).fma(FloatVector.fromArray(F, x, xo + i), a0);
        return finish(a0, r, x, xo);
    }

    @Override
    float weight(int row, int col) {
        return Float.intBitsToFloat(data.get(LE_SHORT, layout.offset(row, col)) << 16);
    }

    @Override
    public DType type() {
        return DType.BF16;
    }
}
