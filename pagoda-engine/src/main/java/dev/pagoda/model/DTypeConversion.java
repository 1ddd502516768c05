package dev.pagoda.model;

import dev.pagoda.kernel.VectorMath;
import dev.pagoda.model.loader.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Encodes F32 values into a non-quantized storage format. */
final class DTypeConversion {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private DTypeConversion() {
    }

    /** Writes {@code values} at {@code off} in {@code target} format; returns the offset after them. */
    static long encode(float[] values, DType target, MemorySegment out, long off) {
        switch (target) {
            case F32 -> {
                MemorySegment.copy(values, 0, out, LE_FLOAT, off, values.length);
                return off + 4L * values.length;
            }
            case F16 -> {
                for (float v : values) {
                    out.set(LE_SHORT, off, Float.floatToFloat16(v));
                    off += 2;
                }
                return off;
            }
            case BF16 -> {
                for (float v : values) {
                    out.set(LE_SHORT, off, VectorMath.toBf16(v));
                    off += 2;
                }
                return off;
            }
            default -> throw new IllegalArgumentException("cannot convert weights to " + target + " here");
        }
    }
}
