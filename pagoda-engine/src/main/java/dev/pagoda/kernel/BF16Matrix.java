package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** bfloat16 weights: a value is the top half of a float, widened by a 16-bit shift (exact). */
public final class BF16Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = F.length();
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    BF16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.BF16);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        long base = row * rowBytes;
        int i = 0;
        for (int upper = cols - L; i <= upper; i += L) VectorMath.bf16(data, base + 2L * i).intoArray(dst, off + i);
        for (; i < cols; i++) dst[off + i] = scalar(base, i);
    }

    private float scalar(long base, int i) {
        return Float.intBitsToFloat(data.get(LE_SHORT, base + 2L * i) << 16);
    }

    private float finish(FloatVector acc, long base, float[] x, int xo, int i) {
        float sum = VectorMath.sumLanes(acc);
        for (; i < cols; i++) sum = Math.fma(scalar(base, i), x[xo + i], sum);
        return sum;
    }

    @Override
    void block4x4(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] lanes) {
        long b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00,
                a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int i = 0;
        for (int upper = cols - L; i <= upper; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i), x1 = FloatVector.fromArray(F, x, xo1 + i),
                    x2 = FloatVector.fromArray(F, x, xo2 + i), x3 = FloatVector.fromArray(F, x, xo3 + i);
            FloatVector w = VectorMath.bf16(data, b0 + 2L * i);
            a00 = w.fma(x0, a00); a01 = w.fma(x1, a01); a02 = w.fma(x2, a02); a03 = w.fma(x3, a03);
            w = VectorMath.bf16(data, b1 + 2L * i);
            a10 = w.fma(x0, a10); a11 = w.fma(x1, a11); a12 = w.fma(x2, a12); a13 = w.fma(x3, a13);
            w = VectorMath.bf16(data, b2 + 2L * i);
            a20 = w.fma(x0, a20); a21 = w.fma(x1, a21); a22 = w.fma(x2, a22); a23 = w.fma(x3, a23);
            w = VectorMath.bf16(data, b3 + 2L * i);
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
        long b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int i = 0;
        for (int upper = cols - L; i <= upper; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
            a0 = VectorMath.bf16(data, b0 + 2L * i).fma(x0, a0);
            a1 = VectorMath.bf16(data, b1 + 2L * i).fma(x0, a1);
            a2 = VectorMath.bf16(data, b2 + 2L * i).fma(x0, a2);
            a3 = VectorMath.bf16(data, b3 + 2L * i).fma(x0, a3);
        }
        out[oo] = finish(a0, b0, x, xo, i);
        out[oo + 1] = finish(a1, b1, x, xo, i);
        out[oo + 2] = finish(a2, b2, x, xo, i);
        out[oo + 3] = finish(a3, b3, x, xo, i);
    }

    @Override
    void block8x1(int r, float[] x, int xo, float[] out, int oo, float[] lanes) {
        long b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes,
                b4 = b3 + rowBytes, b5 = b4 + rowBytes, b6 = b5 + rowBytes, b7 = b6 + rowBytes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int i = 0;
        for (int upper = cols - L; i <= upper; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
            a0 = VectorMath.bf16(data, b0 + 2L * i).fma(x0, a0);
            a1 = VectorMath.bf16(data, b1 + 2L * i).fma(x0, a1);
            a2 = VectorMath.bf16(data, b2 + 2L * i).fma(x0, a2);
            a3 = VectorMath.bf16(data, b3 + 2L * i).fma(x0, a3);
            a4 = VectorMath.bf16(data, b4 + 2L * i).fma(x0, a4);
            a5 = VectorMath.bf16(data, b5 + 2L * i).fma(x0, a5);
            a6 = VectorMath.bf16(data, b6 + 2L * i).fma(x0, a6);
            a7 = VectorMath.bf16(data, b7 + 2L * i).fma(x0, a7);
        }
        a0.intoArray(lanes, 0); a1.intoArray(lanes, L); a2.intoArray(lanes, 2 * L); a3.intoArray(lanes, 3 * L);
        a4.intoArray(lanes, 4 * L); a5.intoArray(lanes, 5 * L); a6.intoArray(lanes, 6 * L); a7.intoArray(lanes, 7 * L);
        finishRows(lanes, 8, i, r, x, xo, out, oo);
    }

    @Override
    float dot(int r, float[] x, int xo) {
        long b0 = r * rowBytes;
        FloatVector a0 = FloatVector.zero(F);
        int i = 0;
        for (int upper = cols - L; i <= upper; i += L) a0 = VectorMath.bf16(data, b0 + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
        return finish(a0, b0, x, xo, i);
    }

    @Override
    float weight(int row, int col) {
        return scalar(row * rowBytes, col);
    }

    @Override
    public DType type() {
        return DType.BF16;
    }
}
