package dev.pagoda.model;

import dev.pagoda.kernel.VectorMath;
import dev.pagoda.model.loader.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Encodes F32 values into a storage format: the float formats by rounding to nearest, Q8_0 and
 * Q4_0 the way llama.cpp's reference quantizers do (so a checkpoint quantized at load holds the
 * same blocks as one quantized by llama.cpp from the same F32 values).
 */
public final class DTypeConversion {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private DTypeConversion() {
    }

    /** Writes {@code values} at {@code off} in {@code target} format; returns the offset after them. */
    public static long encode(float[] values, DType target, MemorySegment out, long off) {
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
            case Q8_0 -> {
                for (int b = 0; b < values.length; b += 32, off += 34) q8_0(values, b, out, off);
                return off;
            }
            case Q4_0 -> {
                for (int b = 0; b < values.length; b += 32, off += 18) q4_0(values, b, out, off);
                return off;
            }
            default -> throw new IllegalArgumentException("cannot convert weights to " + target);
        }
    }

    /** d = max|x| / 127, q = round(x / d) (half away from zero), as llama.cpp's quantize_row_q8_0_ref. */
    private static void q8_0(float[] x, int from, MemorySegment out, long off) {
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[from + j]));
        float d = amax / 127;
        float id = d != 0 ? 1 / d : 0;
        out.set(LE_SHORT, off, Float.floatToFloat16(d));
        for (int j = 0; j < 32; j++) out.set(ValueLayout.JAVA_BYTE, off + 2 + j, (byte) roundHalfAway(x[from + j] * id));
    }

    /** C's roundf: halfway cases away from zero (Math.round would send −2.5 to −2). */
    private static int roundHalfAway(float v) {
        return (int) Math.copySign(Math.floor(Math.abs((double) v) + 0.5), v);
    }

    /**
     * d = (the value of largest magnitude, with its sign) / −8, q = min(15, trunc(x / d + 8.5)), as
     * llama.cpp's quantize_row_q4_0_ref; value j goes to byte j's low nibble, value j+16 to its high one.
     */
    private static void q4_0(float[] x, int from, MemorySegment out, long off) {
        float amax = 0, max = 0;
        for (int j = 0; j < 32; j++) {
            float v = x[from + j];
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float id = d != 0 ? 1 / d : 0;
        out.set(LE_SHORT, off, Float.floatToFloat16(d));
        for (int j = 0; j < 16; j++) {
            int lo = Math.min(15, (int) (x[from + j] * id + 8.5f));
            int hi = Math.min(15, (int) (x[from + j + 16] * id + 8.5f));
            out.set(ValueLayout.JAVA_BYTE, off + 2 + j, (byte) (lo | (hi << 4)));
        }
    }
}
