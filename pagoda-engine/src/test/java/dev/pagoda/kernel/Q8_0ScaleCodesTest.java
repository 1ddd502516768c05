package dev.pagoda.kernel;

import dev.pagoda.PagodaException;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.loader.TensorData;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiled Q8_0 layout keeps a block's F16 scale as a 16-bit code and a negative scale as its
 * magnitude with the quants negated: every finite F16 scale, of either sign (zeros and subnormals
 * included), must give the checkpoint's values and products; what the layout cannot hold is
 * refused with the tensor, row and block named.
 */
class Q8_0ScaleCodesTest {
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int COLS = 512, BLOCKS = COLS / 32;

    @Test
    void everyFiniteHalfScaleOfEitherSignGivesTheCheckpointsValuesAndProducts() {
        // Every F16 bit pattern but the 2 × 1024 with the all-ones exponent, 16 blocks to a row.
        short[] halves = new short[2 * 31 * 1024];
        int n = 0;
        for (int h = 0; h < 65536; h++) {
            if ((h & 0x7C00) != 0x7C00) halves[n++] = (short) h;
        }
        int rows = n / BLOCKS;
        SplittableRandom rnd = new SplittableRandom(7);
        byte[][] quants = new byte[rows][COLS];
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate((long) rows * BLOCKS * 34, 64);
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < BLOCKS; b++) {
                    short h = halves[r * BLOCKS + b];
                    long off = ((long) r * BLOCKS + b) * 34;
                    seg.set(LE_SHORT, off, h);
                    // −128 only under a non-negative scale (the one quant a negative scale cannot take).
                    int lowest = h < 0 ? -127 : -128;
                    for (int c = 0; c < 32; c++) {
                        byte q = (byte) rnd.nextInt(lowest, 128);
                        quants[r][32 * b + c] = q;
                        seg.set(ValueLayout.JAVA_BYTE, off + 2 + c, q);
                    }
                }
            }
            WeightMatrix rowMajor = WeightMatrix.of(new TensorData("w", DType.Q8_0, new long[]{rows, COLS}, seg));
            WeightMatrix tiled = rowMajor.packInto(arena.allocate(rowMajor.packedBytes(), 64));

            float[] decoded = new float[COLS];
            for (int r = 0; r < rows; r++) {
                tiled.decodeRow(r, decoded, 0);
                for (int i = 0; i < COLS; i++) {
                    float expected = quants[r][i] * scale(halves, r, i / 32);
                    // Equal values; a zero under a negative scale comes out +0 (its quant negated).
                    assertTrue(expected == decoded[i], "decode r" + r + " c" + i + ": " + expected + " vs " + decoded[i]);
                    if (expected != 0) assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(decoded[i]));
                }
            }

            int tokens = 3;
            float[] x = new float[tokens * COLS];
            for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
            for (int t : new int[]{1, tokens}) {
                float[] out = new float[t * rows];
                tiled.multiply(0, rows, x, COLS, 0, t, out, rows, new float[WeightMatrix.LANES_SCRATCH]);
                for (int j = 0; j < t; j++) {
                    for (int r = 0; r < rows; r++) {
                        float expected = reference(quants[r], halves, r, x, j * COLS);
                        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[j * rows + r]),
                                t + " tokens, r" + r + " t" + j + ": " + expected + " vs " + out[j * rows + r]);
                    }
                }
            }
        }
    }

    @Test
    void aNonFiniteScaleIsRefusedWithItsTensorRowAndBlock() {
        for (short bad : new short[]{(short) 0x7C00, (short) 0xFC00, (short) 0x7E00}) {
            PagodaException e = assertThrows(PagodaException.class, () -> pack(bad, (byte) 5));
            assertTrue(e.getMessage().contains("tensor 'blk.3.ffn_down'") && e.getMessage().contains("block 1 of row 2")
                    && e.getMessage().contains("non-finite scale"), e.getMessage());
        }
    }

    @Test
    void aNegativeScaleOverAQuantOfMinus128IsRefused() {
        PagodaException e = assertThrows(PagodaException.class, () -> pack(Float.floatToFloat16(-0.02f), Byte.MIN_VALUE));
        assertTrue(e.getMessage().contains("tensor 'blk.3.ffn_down'") && e.getMessage().contains("block 1 of row 2")
                && e.getMessage().contains("-128"), e.getMessage());
        // The same quant under a positive scale packs.
        pack(Float.floatToFloat16(0.02f), Byte.MIN_VALUE);
    }

    /** Packs a 4 × 64 matrix of scale 0.01 and quant 1 whose row 2, block 1 has the given scale and first quant. */
    private static void pack(short scale, byte quant) {
        try (Arena arena = Arena.ofShared()) {
            int rows = 4, cols = 64;
            MemorySegment seg = arena.allocate((long) rows * cols / 32 * 34, 64);
            for (int k = 0; k < rows * cols / 32; k++) {
                seg.set(LE_SHORT, k * 34L, Float.floatToFloat16(0.01f));
                for (int c = 0; c < 32; c++) seg.set(ValueLayout.JAVA_BYTE, k * 34L + 2 + c, (byte) 1);
            }
            long block = (2L * cols / 32 + 1) * 34;
            seg.set(LE_SHORT, block, scale);
            seg.set(ValueLayout.JAVA_BYTE, block + 2, quant);
            WeightMatrix m = WeightMatrix.of(new TensorData("blk.3.ffn_down", DType.Q8_0, new long[]{rows, cols}, seg));
            m.packInto(arena.allocate(m.packedBytes(), 64));
        }
    }

    private static float scale(short[] halves, int r, int b) {
        return Float.float16ToFloat(halves[r * BLOCKS + b]);
    }

    /** The format's order with the checkpoint's own quants and signed scales. */
    private static float reference(byte[] q, short[] halves, int r, float[] x, int xo) {
        float acc = 0;
        for (int b = 0; b < BLOCKS; b++) {
            float s = 0;
            for (int c = 0; c < 32; c++) s = Math.fma(q[32 * b + c], x[xo + 32 * b + c], s);
            acc = Math.fma(s, scale(halves, r, b), acc);
        }
        return acc;
    }
}
