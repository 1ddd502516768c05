package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** F32 weights. */
public final class F32Matrix extends ChunkedMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Bytes from one row's chunk to the next row's within a packed tile. */
    private static final long ROW = 4L * L;

    F32Matrix(String name, int rows, int cols, MemorySegment data, boolean packed) {
        super(name, rows, cols, data, DType.F32, 4, packed, false);
    }

    @Override
    ChunkedMatrix over(MemorySegment data, boolean packed) {
        return new F32Matrix(name, rows, cols, data, packed);
    }

    @Override
    FloatVector chunk(int r, long offset) {
        return FloatVector.fromMemorySegment(F, data, offset, ByteOrder.LITTLE_ENDIAN);
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
            FloatVector w = FloatVector.fromMemorySegment(F, data, b0 + o, ByteOrder.LITTLE_ENDIAN);
            a00 = w.fma(x0, a00); a01 = w.fma(x1, a01); a02 = w.fma(x2, a02); a03 = w.fma(x3, a03);
            w = FloatVector.fromMemorySegment(F, data, b1 + o, ByteOrder.LITTLE_ENDIAN);
            a10 = w.fma(x0, a10); a11 = w.fma(x1, a11); a12 = w.fma(x2, a12); a13 = w.fma(x3, a13);
            w = FloatVector.fromMemorySegment(F, data, b2 + o, ByteOrder.LITTLE_ENDIAN);
            a20 = w.fma(x0, a20); a21 = w.fma(x1, a21); a22 = w.fma(x2, a22); a23 = w.fma(x3, a23);
            w = FloatVector.fromMemorySegment(F, data, b3 + o, ByteOrder.LITTLE_ENDIAN);
            a30 = w.fma(x0, a30); a31 = w.fma(x1, a31); a32 = w.fma(x2, a32); a33 = w.fma(x3, a33);
        }
        a00.intoArray(lanes, 0); a01.intoArray(lanes, L); a02.intoArray(lanes, 2 * L); a03.intoArray(lanes, 3 * L);
        a10.intoArray(lanes, 4 * L); a11.intoArray(lanes, 5 * L); a12.intoArray(lanes, 6 * L); a13.intoArray(lanes, 7 * L);
        a20.intoArray(lanes, 8 * L); a21.intoArray(lanes, 9 * L); a22.intoArray(lanes, 10 * L); a23.intoArray(lanes, 11 * L);
        a30.intoArray(lanes, 12 * L); a31.intoArray(lanes, 13 * L); a32.intoArray(lanes, 14 * L); a33.intoArray(lanes, 15 * L);
        finishBlock(lanes, 4, 4, i, r, x, xo, xStride, out, oo, outStride);
    }

    @Override
    void block8x2(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] lanes) {
        long b0 = base(r);
        int xo1 = xo + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00,
                a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        int i = 0;
        for (long o = b0; i < vecCols; i += L, o += chunkStride) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i), x1 = FloatVector.fromArray(F, x, xo1 + i);
            FloatVector w = FloatVector.fromMemorySegment(F, data, o, ByteOrder.LITTLE_ENDIAN);
            a00 = w.fma(x0, a00); a01 = w.fma(x1, a01);
            w = FloatVector.fromMemorySegment(F, data, o + ROW, ByteOrder.LITTLE_ENDIAN);
            a10 = w.fma(x0, a10); a11 = w.fma(x1, a11);
            w = FloatVector.fromMemorySegment(F, data, o + 2 * ROW, ByteOrder.LITTLE_ENDIAN);
            a20 = w.fma(x0, a20); a21 = w.fma(x1, a21);
            w = FloatVector.fromMemorySegment(F, data, o + 3 * ROW, ByteOrder.LITTLE_ENDIAN);
            a30 = w.fma(x0, a30); a31 = w.fma(x1, a31);
            w = FloatVector.fromMemorySegment(F, data, o + 4 * ROW, ByteOrder.LITTLE_ENDIAN);
            a40 = w.fma(x0, a40); a41 = w.fma(x1, a41);
            w = FloatVector.fromMemorySegment(F, data, o + 5 * ROW, ByteOrder.LITTLE_ENDIAN);
            a50 = w.fma(x0, a50); a51 = w.fma(x1, a51);
            w = FloatVector.fromMemorySegment(F, data, o + 6 * ROW, ByteOrder.LITTLE_ENDIAN);
            a60 = w.fma(x0, a60); a61 = w.fma(x1, a61);
            w = FloatVector.fromMemorySegment(F, data, o + 7 * ROW, ByteOrder.LITTLE_ENDIAN);
            a70 = w.fma(x0, a70); a71 = w.fma(x1, a71);
        }
        a00.intoArray(lanes, 0); a01.intoArray(lanes, L); a10.intoArray(lanes, 2 * L); a11.intoArray(lanes, 3 * L);
        a20.intoArray(lanes, 4 * L); a21.intoArray(lanes, 5 * L); a30.intoArray(lanes, 6 * L); a31.intoArray(lanes, 7 * L);
        a40.intoArray(lanes, 8 * L); a41.intoArray(lanes, 9 * L); a50.intoArray(lanes, 10 * L); a51.intoArray(lanes, 11 * L);
        a60.intoArray(lanes, 12 * L); a61.intoArray(lanes, 13 * L); a70.intoArray(lanes, 14 * L); a71.intoArray(lanes, 15 * L);
        finishBlock(lanes, 8, 2, i, r, x, xo, xStride, out, oo, outStride);
    }

    @Override
    void block4x1(int r, float[] x, int xo, float[] out, int oo) {
        long b0 = base(r), b1 = base(r + 1), b2 = base(r + 2), b3 = base(r + 3);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (long o = 0; i < vecCols; i += L, o += chunkStride) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
            a0 = FloatVector.fromMemorySegment(F, data, b0 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a0);
            a1 = FloatVector.fromMemorySegment(F, data, b1 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a1);
            a2 = FloatVector.fromMemorySegment(F, data, b2 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a2);
            a3 = FloatVector.fromMemorySegment(F, data, b3 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a3);
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
            a0 = FloatVector.fromMemorySegment(F, data, b0 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a0);
            a1 = FloatVector.fromMemorySegment(F, data, b1 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a1);
            a2 = FloatVector.fromMemorySegment(F, data, b2 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a2);
            a3 = FloatVector.fromMemorySegment(F, data, b3 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a3);
            a4 = FloatVector.fromMemorySegment(F, data, b4 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a4);
            a5 = FloatVector.fromMemorySegment(F, data, b5 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a5);
            a6 = FloatVector.fromMemorySegment(F, data, b6 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a6);
            a7 = FloatVector.fromMemorySegment(F, data, b7 + o, ByteOrder.LITTLE_ENDIAN).fma(x0, a7);
        }
        a0.intoArray(lanes, 0); a1.intoArray(lanes, L); a2.intoArray(lanes, 2 * L); a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L); a5.intoArray(lanes, 5 * L); a6.intoArray(lanes, 6 * L); a7.intoArray(lanes, 7 * L);
        finishBlock(lanes, 8, 1, i, r, x, xo, 0, out, oo, 0);
    }

    @Override
    float dot(int r, float[] x, int xo) {
        long b0 = base(r);
        FloatVector a0 = FloatVector.zero(F);
        int i = 0;
        for (long o = 0; i < vecCols; i += L, o += chunkStride) a0 = FloatVector.fromMemorySegment(F, data, b0 + o, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, x, xo + i), a0);
        return finish(a0, r, x, xo);
    }

    @Override
    float weight(int row, int col) {
        return data.get(LE_FLOAT, layout.offset(row, col));
    }

    @Override
    public DType type() {
        return DType.F32;
    }
}
