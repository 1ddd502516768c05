package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

public final class BF16Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    BF16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.BF16);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        long base = row * rowBytes;
        int l = F.length();
        int i = 0;
        for (int upper = cols - l; i <= upper; i += l) {
            VectorMath.bf16(data, base + 2L * i).intoArray(dst, off + i);
        }
        for (; i < cols; i++) dst[off + i] = Float.intBitsToFloat(data.get(LE_SHORT, base + 2L * i) << 16);
    }

    @Override
    public DType type() {
        return DType.BF16;
    }
}
