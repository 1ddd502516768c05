package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

public final class F32Matrix extends WeightMatrix {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    F32Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.F32);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        MemorySegment.copy(data, LE_FLOAT, row * rowBytes, dst, off, cols);
    }

    @Override
    public DType type() {
        return DType.F32;
    }
}
