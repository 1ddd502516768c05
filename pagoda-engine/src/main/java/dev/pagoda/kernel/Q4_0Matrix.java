package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final int PARTS = 16 / F.length();
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    Q4_0Matrix(String name, int rows, int cols, MemorySegment data) {
        super(name, rows, cols, data, DType.Q4_0);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        long block = row * rowBytes;
        for (int b = 0; b < cols / 32; b++, block += 18) {
            float d = Float.float16ToFloat(data.get(LE_SHORT, block));
            int o = off + 32 * b;
            ByteVector packed = ByteVector.fromMemorySegment(B16, data, block + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector lo = packed.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
            for (int p = 0; p < PARTS; p++) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, o + p * F.length());
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, p)).mul(d).intoArray(dst, o + 16 + p * F.length());
            }
        }
    }

    @Override
    public DType type() {
        return DType.Q4_0;
    }
}
