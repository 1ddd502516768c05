package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

public final class F16Matrix extends WeightMatrix {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    F16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.F16);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        // The Vector API has no half-precision conversion; Float.float16ToFloat is an intrinsic (vcvtph2ps).
        long base = row * rowBytes;
        for (int i = 0; i < cols; i++) dst[off + i] = Float.float16ToFloat(data.get(LE_SHORT, base + 2L * i));
    }

    @Override
    public DType type() {
        return DType.F16;
    }
}
