package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

public final class BF16Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    BF16Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.BF16);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        long base = row * rowBytes;
        int l = F.length();
        int i = 0;
        // A bfloat16 is the top half of a float32: widen and shift left by 16.
        for (int upper = cols - l; i <= upper; i += l) {
            ShortVector s = ShortVector.fromMemorySegment(S, data, base + 2L * i, ByteOrder.LITTLE_ENDIAN);
            IntVector bits = (IntVector) s.convertShape(VectorOperators.S2I, I, 0);
            ((FloatVector) bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats()).intoArray(dst, off + i);
        }
        for (; i < cols; i++) dst[off + i] = Float.intBitsToFloat(data.get(LE_SHORT, base + 2L * i) << 16);
    }

    @Override
    public DType type() {
        return DType.BF16;
    }
}
