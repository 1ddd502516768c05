package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** IEEE half-precision weights, widened exactly by {@link VectorMath#f16}. */
public final class F16Matrix extends LaneSumMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = F.length();
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    F16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.F16);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        long base = row * rowBytes;
        int i = 0;
        for (int upper = cols - L; i <= upper; i += L) VectorMath.f16(data, base + 2L * i).intoArray(dst, off + i);
        for (; i < cols; i++) dst[off + i] = scalar(base, i);
    }

    private float scalar(long base, int i) {
        return Float.float16ToFloat(data.get(LE_SHORT, base + 2L * i));
    }

    private float finish(FloatVector acc, long base, float[] x, int xo, int i) {
        float sum = VectorMath.sumLanes(acc);
        for (; i < cols; i++) sum = Math.fma(scalar(base, i), x[xo + i], sum);
        return sum;
    }

    /**
     * Four 1-row passes, each its own compiled method: the half-precision decode is about ten
     * vector operations, and four rows of it in one method passed C2's inlining node budget (see
     * {@link Q4_0Matrix#block4x4}).
     */
    @Override
    void block4x4(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] lanes) {
        for (int i = 0; i < 4; i++) row1x4(r + i, x, xo, xStride, lanes, 4 * i * L);
        finishBlock(lanes, 4, 4, cols / L * L, r, x, xo, xStride, out, oo, outStride);
    }

    /** Row r times 4 activation rows over the whole chunks; accumulator (token j) to lanes[lo + j·L]. */
    private void row1x4(int r, float[] x, int xo, int xStride, float[] lanes, int lo) {
        long b0 = r * rowBytes;
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0, upper = cols - L; i <= upper; i += L) {
            FloatVector w = VectorMath.f16(data, b0 + 2L * i);
            a0 = w.fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = w.fma(FloatVector.fromArray(F, x, xo1 + i), a1);
            a2 = w.fma(FloatVector.fromArray(F, x, xo2 + i), a2);
            a3 = w.fma(FloatVector.fromArray(F, x, xo3 + i), a3);
        }
        a0.intoArray(lanes, lo); a1.intoArray(lanes, lo + L); a2.intoArray(lanes, lo + 2 * L); a3.intoArray(lanes, lo + 3 * L);
    }

    /** Two 2-row passes, for the same node budget as {@link #block4x4}. */
    @Override
    void block4x1(int r, float[] x, int xo, float[] out, int oo) {
        rows2x1(r, x, xo, out, oo);
        rows2x1(r + 2, x, xo, out, oo + 2);
    }

    private void rows2x1(int r, float[] x, int xo, float[] out, int oo) {
        long b0 = r * rowBytes, b1 = b0 + rowBytes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int i = 0;
        for (int upper = cols - L; i <= upper; i += L) {
            FloatVector x0 = FloatVector.fromArray(F, x, xo + i);
            a0 = VectorMath.f16(data, b0 + 2L * i).fma(x0, a0);
            a1 = VectorMath.f16(data, b1 + 2L * i).fma(x0, a1);
        }
        out[oo] = finish(a0, b0, x, xo, i);
        out[oo + 1] = finish(a1, b1, x, xo, i);
    }

    @Override
    float dot(int r, float[] x, int xo) {
        long b0 = r * rowBytes;
        FloatVector a0 = FloatVector.zero(F);
        int i = 0;
        for (int upper = cols - L; i <= upper; i += L) a0 = VectorMath.f16(data, b0 + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
        return finish(a0, b0, x, xo, i);
    }

    @Override
    float weight(int row, int col) {
        return scalar(row * rowBytes, col);
    }

    @Override
    public DType type() {
        return DType.F16;
    }
}
