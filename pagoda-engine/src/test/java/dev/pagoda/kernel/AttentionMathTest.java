package dev.pagoda.kernel;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The attention block kernels against scalar references that spell out their one order: a score
 * is an FMA chain over the head's dimensions in ascending order, a value sum an FMA chain over
 * the slots in ascending order. Bitwise, for every block size (vector and scalar paths), head
 * size, slot count and storage format; slots past the count hold NaN, which must not reach a
 * result.
 */
class AttentionMathTest {
    private static final int L = VectorMath.L;

    @Test
    void scoresAreOneFmaChainPerSlotInDimensionOrder() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (boolean bf16 : new boolean[] {false, true}) {
            for (int bs : new int[] {L, 2 * L, 128, 8, 24}) {
                for (int hd : new int[] {8, 64, 128, 6}) {
                    for (int count : new int[] {1, L - 1, L, L + 1, 4 * L + 3, 5 * L, bs}) {
                        if (count > bs) continue;
                        checkScores(rnd, bf16, bs, hd, count);
                    }
                }
            }
        }
    }

    private static void checkScores(SplittableRandom rnd, boolean bf16, int bs, int hd, int count) {
        String where = (bf16 ? "BF16" : "F32") + " block " + bs + ", head " + hd + ", " + count + " slots";
        int heads = 2, h = 1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment keys = arena.allocate((long) heads * hd * bs * 4, 64);
            long head = (long) h * hd * bs;
            float[][] k = new float[bs][hd];
            for (int s = 0; s < bs; s++) {
                for (int d = 0; d < hd; d++) {
                    float x = s < count ? (float) rnd.nextGaussian() : Float.NaN;
                    if (bf16) {
                        short b = VectorMath.toBf16(x);
                        k[s][d] = Float.intBitsToFloat(b << 16);
                        keys.set(VectorMath.LE_SHORT, 2 * AttentionMath.keyIndex(head, bs, true, d, s), b);
                    } else {
                        k[s][d] = x;
                        keys.set(VectorMath.LE_FLOAT, 4 * AttentionMath.keyIndex(head, bs, false, d, s), x);
                    }
                }
            }
            float[] q = new float[3 + hd];
            for (int i = 0; i < q.length; i++) q[i] = (float) rnd.nextGaussian();
            float scale = (float) (1 / Math.sqrt(hd));
            float[] s = new float[bs];
            float max = AttentionMath.scores(q, 3, keys, bf16, head, bs, count, hd, scale, s);
            float expectedMax = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < count; j++) {
                float acc = 0;
                for (int d = 0; d < hd; d++) acc = Math.fma(k[j][d], q[3 + d], acc);
                float expected = acc * scale;
                expectedMax = Math.max(expectedMax, expected);
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(s[j]), where + ": slot " + j);
            }
            assertEquals(expectedMax, max, where + ": largest score");
        }
    }

    @Test
    void valueSumsAreOneFmaChainPerElementInSlotOrder() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (boolean bf16 : new boolean[] {false, true}) {
            for (int hd : new int[] {8, 64, 96, 128, 6}) {
                for (int count : new int[] {0, 1, L + 1, 37, 128}) {
                    checkValues(rnd, bf16, hd, count);
                }
            }
        }
    }

    private static void checkValues(SplittableRandom rnd, boolean bf16, int hd, int count) {
        String where = (bf16 ? "BF16" : "F32") + " head " + hd + ", " + count + " slots";
        int stride = 2 * hd + 5, off = hd + 2, slots = count + 1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment values = arena.allocate((long) slots * stride * 4 + 64, 64);
            float[][] v = new float[slots][hd];
            for (int j = 0; j < slots; j++) {
                for (int d = 0; d < hd; d++) {
                    float x = j < count ? (float) rnd.nextGaussian() : Float.NaN;
                    long i = (long) j * stride + off + d;
                    if (bf16) {
                        short b = VectorMath.toBf16(x);
                        v[j][d] = Float.intBitsToFloat(b << 16);
                        values.set(VectorMath.LE_SHORT, 2 * i, b);
                    } else {
                        v[j][d] = x;
                        values.set(VectorMath.LE_FLOAT, 4 * i, x);
                    }
                }
            }
            float[] p = new float[slots], acc = new float[hd], expected = new float[hd];
            for (int j = 0; j < slots; j++) p[j] = (float) rnd.nextDouble();
            for (int d = 0; d < hd; d++) acc[d] = expected[d] = (float) rnd.nextGaussian();
            for (int d = 0; d < hd; d++) {
                for (int j = 0; j < count; j++) expected[d] = Math.fma(v[j][d], p[j], expected[d]);
            }
            AttentionMath.accumulate(acc, values, bf16, off, stride, count, hd, p);
            for (int d = 0; d < hd; d++) {
                assertEquals(Float.floatToRawIntBits(expected[d]), Float.floatToRawIntBits(acc[d]), where + ": element " + d);
            }
        }
    }
}
