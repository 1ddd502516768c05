package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** GGML Q8_0: blocks of 32 values, an F16 scale d then 32 signed bytes q; value = d·q. */
public final class Q8_0Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final int PARTS = 16 / F.length();
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    Q8_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.Q8_0);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        long block = row * rowBytes;
        for (int b = 0; b < cols / 32; b++, block += 34) {
            float d = Float.float16ToFloat(data.get(LE_SHORT, block));
            int o = off + 32 * b;
            for (int half = 0; half < 2; half++) {
                ByteVector q = ByteVector.fromMemorySegment(B16, data, block + 2 + 16 * half, ByteOrder.LITTLE_ENDIAN);
                for (int p = 0; p < PARTS; p++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, o + 16 * half + p * F.length());
                }
            }
        }
    }

    @Override
    public DType type() {
        return DType.Q8_0;
    }
}
