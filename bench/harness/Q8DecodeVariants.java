import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Q8_0 matrix-vector variants the engine did not adopt, against the engine's kernel (tiles of 16
 * rows, one lane per row; four tiles a quarter of the range apart; F32 scales, as the engine kept
 * them when these were compared), in GB/s of weights. Outputs
 * are not checked: only the memory traffic and the arithmetic per byte are compared.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector bench/harness/Q8DecodeVariants.java cache    # one thread, 0.5 MB (L2)
 * java --add-modules jdk.incubator.vector bench/harness/Q8DecodeVariants.java memory1  # one thread, 66 MB
 * java --add-modules jdk.incubator.vector bench/harness/Q8DecodeVariants.java memory2  # two threads, 66 MB
 * </pre>
 *
 * Variants: "int16" quantizes the activations to 8 bits (per-block scale) and multiplies column
 * pairs in 16-bit lanes (weights stored as pairs of columns per row), summing to 32-bit lanes
 * with one shift per pair; "eighths" runs eight tiles an eighth apart; "grouped" stores the four
 * tiles of a group block by block, so one thread reads one sequential stream.
 */
public class Q8DecodeVariants {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    static final int L = 16, COLS = 896, BLOCK = 4 * L + 32 * L;
    static final long TILE = (long) (COLS / 32) * BLOCK;

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "cache";
        int rows = mode.equals("cache") ? 512 : 65536;
        Q8DecodeVariants h = new Q8DecodeVariants(rows);
        String[] variants = switch (mode) {
            case "cache" -> new String[]{"quarters", "int16", "int16x4"};
            case "memory1" -> new String[]{"quarters", "int16", "grouped"};
            default -> new String[]{"quarters", "int16", "int16x4", "eighths"};
        };
        int threads = mode.equals("memory2") ? 2 : 1;
        int reps = mode.equals("cache") ? 2000 : 20;
        for (int round = 0; round < 8; round++) {
            StringBuilder line = new StringBuilder("round " + round + ":");
            for (String v : variants) line.append(String.format("  %s %.1f GB/s", v, h.time(v, threads, reps)));
            System.out.println(line);
        }
    }

    final int tiles;
    final MemorySegment data;
    final float[] x = new float[COLS];
    /** Activations quantized to 8 bits, two columns per int (low half the even column). */
    final int[] xPairs = new int[COLS / 2];
    final float[] xScales = new float[COLS / 32];
    final float[] out;

    Q8DecodeVariants(int rows) {
        tiles = rows / L;
        out = new float[rows];
        data = Arena.global().allocate(tiles * TILE, 64);
        Random r = new Random(1);
        for (long i = 0; i < data.byteSize(); i++) data.set(ValueLayout.JAVA_BYTE, i, (byte) (r.nextInt(255) - 127));
        for (int t = 0; t < tiles; t++) {
            for (int b = 0; b < COLS / 32; b++) {
                for (int lane = 0; lane < L; lane++) data.set(ValueLayout.JAVA_FLOAT_UNALIGNED, t * TILE + (long) b * BLOCK + 4L * lane, 0.01f);
            }
        }
        for (int i = 0; i < COLS; i++) x[i] = r.nextFloat() - 0.5f;
        for (int i = 0; i < COLS / 2; i++) xPairs[i] = (r.nextInt(255) - 127) & 0xFFFF | (r.nextInt(255) - 127) << 16;
        java.util.Arrays.fill(xScales, 0.02f);
    }

    double time(String variant, int threads, int reps) throws InterruptedException {
        long t0 = System.nanoTime();
        for (int rep = 0; rep < reps; rep++) {
            if (threads == 1) {
                run(variant, 0, tiles);
            } else {
                Thread other = Thread.ofPlatform().start(() -> run(variant, tiles / 2, tiles / 2));
                run(variant, 0, tiles / 2);
                other.join();
            }
        }
        return tiles * TILE * (double) reps / (System.nanoTime() - t0);
    }

    /** The tiles [first, first + count) times x, the way the variant reads them. */
    void run(String variant, int first, int count) {
        int quarter = count / 4;
        switch (variant) {
            case "quarters" -> {
                for (int k = 0; k < quarter; k++) quarters(tileAt(first + k), quarter * TILE, BLOCK, (first + k) * L, quarter * L);
            }
            case "int16" -> {
                for (int k = 0; k < quarter; k++) {
                    int16Pair(tileAt(first + k), quarter * TILE, (first + k) * L, quarter * L);
                    int16Pair(tileAt(first + k + 2 * quarter), quarter * TILE, (first + k + 2 * quarter) * L, quarter * L);
                }
            }
            case "int16x4" -> {
                for (int k = 0; k < quarter; k++) int16Quad(tileAt(first + k), quarter * TILE, (first + k) * L, quarter * L);
            }
            case "eighths" -> {
                int eighth = count / 8;
                for (int k = 0; k < eighth; k++) eighths(tileAt(first + k), eighth * TILE, (first + k) * L, eighth * L);
            }
            case "grouped" -> {
                for (int k = 0; k < count; k += 4) quarters(tileAt(first + k), BLOCK, 4 * BLOCK, (first + k) * L, L);
            }
            default -> throw new IllegalArgumentException(variant);
        }
    }

    static long tileAt(int tile) {
        return tile * TILE;
    }

    FloatVector column(long block, int c) {
        return (FloatVector) ByteVector.fromMemorySegment(B128, data, block + 4 * L + (long) c * L, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, F, 0);
    }

    FloatVector scales(long block) {
        return FloatVector.fromMemorySegment(F, data, block, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The engine's shape: four tiles g bytes apart, one FMA chain each, a tile's blocks
     * blockStride bytes apart (BLOCK in the engine's layout; 4·BLOCK with g = BLOCK reads the four
     * tiles of a group stored block by block).
     */
    void quarters(long tile, long g, long blockStride, int oo, int rowStride) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < COLS; i += 32, tile += blockStride) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int c = 0; c < 32; c++) {
                FloatVector xc = FloatVector.broadcast(F, x[i + c]);
                s0 = column(tile, c).fma(xc, s0);
                s1 = column(tile + g, c).fma(xc, s1);
                s2 = column(tile + 2 * g, c).fma(xc, s2);
                s3 = column(tile + 3 * g, c).fma(xc, s3);
            }
            a0 = s0.fma(scales(tile), a0);
            a1 = s1.fma(scales(tile + g), a1);
            a2 = s2.fma(scales(tile + 2 * g), a2);
            a3 = s3.fma(scales(tile + 3 * g), a3);
        }
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + rowStride);
        a2.intoArray(out, oo + 2 * rowStride);
        a3.intoArray(out, oo + 3 * rowStride);
    }

    /** Eight tiles g bytes apart. */
    void eighths(long tile, long g, int oo, int rowStride) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i < COLS; i += 32, tile += BLOCK) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int c = 0; c < 32; c++) {
                FloatVector xc = FloatVector.broadcast(F, x[i + c]);
                s0 = column(tile, c).fma(xc, s0);
                s1 = column(tile + g, c).fma(xc, s1);
                s2 = column(tile + 2 * g, c).fma(xc, s2);
                s3 = column(tile + 3 * g, c).fma(xc, s3);
                s4 = column(tile + 4 * g, c).fma(xc, s4);
                s5 = column(tile + 5 * g, c).fma(xc, s5);
                s6 = column(tile + 6 * g, c).fma(xc, s6);
                s7 = column(tile + 7 * g, c).fma(xc, s7);
            }
            a0 = s0.fma(scales(tile), a0);
            a1 = s1.fma(scales(tile + g), a1);
            a2 = s2.fma(scales(tile + 2 * g), a2);
            a3 = s3.fma(scales(tile + 3 * g), a3);
            a4 = s4.fma(scales(tile + 4 * g), a4);
            a5 = s5.fma(scales(tile + 5 * g), a5);
            a6 = s6.fma(scales(tile + 6 * g), a6);
            a7 = s7.fma(scales(tile + 7 * g), a7);
        }
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + rowStride);
        a2.intoArray(out, oo + 2 * rowStride);
        a3.intoArray(out, oo + 3 * rowStride);
        a4.intoArray(out, oo + 4 * rowStride);
        a5.intoArray(out, oo + 5 * rowStride);
        a6.intoArray(out, oo + 6 * rowStride);
        a7.intoArray(out, oo + 7 * rowStride);
    }

    /** As {@link #int16Pair}, four tiles g bytes apart (four streams, as the engine's kernel). */
    void int16Quad(long tile, long g, int oo, int rowStride) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0, b = 0; i < COLS; i += 32, tile += BLOCK, b++) {
            IntVector p0 = IntVector.zero(I512), p1 = p0, p2 = p0, p3 = p0, h0 = p0, h1 = p0, h2 = p0, h3 = p0;
            for (int p = 0; p < 16; p += 2) {
                ShortVector x0 = (ShortVector) IntVector.broadcast(I512, xPairs[i / 2 + p]).reinterpretShape(S512, 0);
                ShortVector x1 = (ShortVector) IntVector.broadcast(I512, xPairs[i / 2 + p + 1]).reinterpretShape(S512, 0);
                long c0 = tile + 4 * L + (long) p * 32;
                ShortVector w00 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w01 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + 32, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w10 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + g, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w11 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + g + 32, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w20 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + 2 * g, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w21 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + 2 * g + 32, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w30 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + 3 * g, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w31 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + 3 * g + 32, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                IntVector s0 = (IntVector) w00.mul(x0).add(w01.mul(x1)).reinterpretShape(I512, 0);
                IntVector s1 = (IntVector) w10.mul(x0).add(w11.mul(x1)).reinterpretShape(I512, 0);
                IntVector s2 = (IntVector) w20.mul(x0).add(w21.mul(x1)).reinterpretShape(I512, 0);
                IntVector s3 = (IntVector) w30.mul(x0).add(w31.mul(x1)).reinterpretShape(I512, 0);
                p0 = p0.add(s0);
                h0 = h0.add(s0.lanewise(VectorOperators.ASHR, 16));
                p1 = p1.add(s1);
                h1 = h1.add(s1.lanewise(VectorOperators.ASHR, 16));
                p2 = p2.add(s2);
                h2 = h2.add(s2.lanewise(VectorOperators.ASHR, 16));
                p3 = p3.add(s3);
                h3 = h3.add(s3.lanewise(VectorOperators.ASHR, 16));
            }
            float d = xScales[b];
            IntVector t0 = p0.sub(h0.lanewise(VectorOperators.LSHL, 16)).add(h0);
            IntVector t1 = p1.sub(h1.lanewise(VectorOperators.LSHL, 16)).add(h1);
            IntVector t2 = p2.sub(h2.lanewise(VectorOperators.LSHL, 16)).add(h2);
            IntVector t3 = p3.sub(h3.lanewise(VectorOperators.LSHL, 16)).add(h3);
            a0 = ((FloatVector) t0.convertShape(VectorOperators.I2F, F, 0)).fma(scales(tile).mul(d), a0);
            a1 = ((FloatVector) t1.convertShape(VectorOperators.I2F, F, 0)).fma(scales(tile + g).mul(d), a1);
            a2 = ((FloatVector) t2.convertShape(VectorOperators.I2F, F, 0)).fma(scales(tile + 2 * g).mul(d), a2);
            a3 = ((FloatVector) t3.convertShape(VectorOperators.I2F, F, 0)).fma(scales(tile + 3 * g).mul(d), a3);
        }
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + rowStride);
        a2.intoArray(out, oo + 2 * rowStride);
        a3.intoArray(out, oo + 3 * rowStride);
    }

    /**
     * Two tiles g bytes apart with 8-bit activations. A 32-byte load is two columns of 16 rows
     * (row-major pairs), widened to 32 shorts; times the activation pair broadcast as an int, two
     * such products added in 16 bits (|sum| ≤ 2·127·128 fits), then as 32-bit lanes p = hi·2¹⁶ + lo:
     * Σp and Σ(p >> 16) give Σlo + Σhi exactly at the block's end. Written out in one method: split
     * into helpers, C2 left the vectors boxed (5 GB/s).
     */
    void int16Pair(long tile, long g, int oo, int rowStride) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int i = 0, b = 0; i < COLS; i += 32, tile += BLOCK, b++) {
            IntVector p0 = IntVector.zero(I512), p1 = p0, h0 = p0, h1 = p0;
            for (int p = 0; p < 16; p += 2) {
                ShortVector x0 = (ShortVector) IntVector.broadcast(I512, xPairs[i / 2 + p]).reinterpretShape(S512, 0);
                ShortVector x1 = (ShortVector) IntVector.broadcast(I512, xPairs[i / 2 + p + 1]).reinterpretShape(S512, 0);
                long c0 = tile + 4 * L + (long) p * 32;
                ShortVector w00 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w01 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + 32, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w10 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + g, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                ShortVector w11 = (ShortVector) ByteVector.fromMemorySegment(B256, data, c0 + g + 32, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S512, 0);
                IntVector s0 = (IntVector) w00.mul(x0).add(w01.mul(x1)).reinterpretShape(I512, 0);
                IntVector s1 = (IntVector) w10.mul(x0).add(w11.mul(x1)).reinterpretShape(I512, 0);
                p0 = p0.add(s0);
                h0 = h0.add(s0.lanewise(VectorOperators.ASHR, 16));
                p1 = p1.add(s1);
                h1 = h1.add(s1.lanewise(VectorOperators.ASHR, 16));
            }
            float d = xScales[b];
            IntVector t0 = p0.sub(h0.lanewise(VectorOperators.LSHL, 16)).add(h0);
            IntVector t1 = p1.sub(h1.lanewise(VectorOperators.LSHL, 16)).add(h1);
            a0 = ((FloatVector) t0.convertShape(VectorOperators.I2F, F, 0)).fma(scales(tile).mul(d), a0);
            a1 = ((FloatVector) t1.convertShape(VectorOperators.I2F, F, 0)).fma(scales(tile + g).mul(d), a1);
        }
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + rowStride);
    }
}
