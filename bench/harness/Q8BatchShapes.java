import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Q8_0 batch kernel shapes on the engine's tiled layout as it was when they were compared (tiles
 * of 16 rows, one lane per row, per 32-column block the 16 F32 scales then each column as 16
 * bytes; the engine now keeps 16-bit scale codes), 16 tokens, one thread, in
 * GFLOP/s (2 per weight per token). Outputs are not checked: only the instruction mix per FMA
 * differs. "x8": one tile × 8 tokens, twice (the engine's kernel before the two-tile one);
 * "x16": one tile × 16 tokens (one widening per 16 FMAs, block sums in a scratch array);
 * "2x8": two neighbouring tiles × 8 tokens, twice (each broadcast feeds two FMAs; the engine's
 * {@code Q8_0Matrix.tiles2x8}).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector bench/harness/Q8BatchShapes.java 1024 x8,x16,2x8          # 1 MB, 896 columns
 * java -Dcols=2048 --add-modules jdk.incubator.vector bench/harness/Q8BatchShapes.java 8192 x8,2x8  # 2048 columns
 * </pre>
 */
public class Q8BatchShapes {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final int L = 16, COLS = Integer.getInteger("cols", 896), BLOCK = 4 * L + 32 * L, M = 16;
    static final long TILE = (long) (COLS / 32) * BLOCK;
    final int tiles;
    final MemorySegment data;
    /** M activation rows of COLS values. */
    final float[] xs = new float[M * COLS];
    final float[] out;
    /** Block sums of the kernels whose accumulators do not fit the vector registers. */
    final float[] acc = new float[16 * L];

    public static void main(String[] args) {
        int rows = Integer.parseInt(args[0]);
        Q8BatchShapes h = new Q8BatchShapes(rows);
        String[] variants = args[1].split(",");
        for (int round = 0; round < 8; round++) {
            StringBuilder line = new StringBuilder("round " + round + ":");
            for (String v : variants) {
                long t0 = System.nanoTime();
                int reps = Math.max(1, 200_000_000 / rows / COLS / M * 40);
                for (int r = 0; r < reps; r++) h.run(v);
                double gf = 2.0 * rows * COLS * M * reps / (System.nanoTime() - t0);
                line.append(String.format("  %s %.1f", v, gf));
            }
            System.out.println(line);
        }
    }

    Q8BatchShapes(int rows) {
        tiles = rows / L;
        out = new float[rows * M];
        data = Arena.global().allocate(tiles * TILE, 64);
        Random r = new Random(1);
        for (long i = 0; i < data.byteSize(); i++) data.set(ValueLayout.JAVA_BYTE, i, (byte) (r.nextInt(255) - 127));
        for (int i = 0; i < xs.length; i++) xs[i] = r.nextFloat() - 0.5f;
    }

    void run(String v) {
        int rows = tiles * L;
        for (int t = 0; t < tiles; t++) {
            long tile = t * TILE;
            switch (v) {
                case "x8" -> { t1x8(tile, 0, COLS, out, t * L, rows, acc); t1x8(tile, 8 * COLS, COLS, out, 8 * rows + t * L, rows, acc); }
                case "x16" -> t1x16(tile, 0, COLS, out, t * L, rows, acc);
                case "2x8" -> { if ((t & 1) == 0) { t2x8(tile, 0, COLS, out, t * L, rows, acc); t2x8(tile, 8 * COLS, COLS, out, 8 * rows + t * L, rows, acc); } }
                default -> throw new IllegalArgumentException(v);
            }
        }
    }

    FloatVector column(long block, int c) {
        return (FloatVector) ByteVector.fromMemorySegment(B128, data, block + 4 * L + (long) c * L, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, F, 0);
    }
    FloatVector scales(long block) { return FloatVector.fromMemorySegment(F, data, block, ByteOrder.LITTLE_ENDIAN); }

    void t1x8(long tile, int xo, int xStride, float[] o, int oo, int oStride, float[] acc) {
        int xo0 = xo + 0 * xStride;
        int xo1 = xo + 1 * xStride;
        int xo2 = xo + 2 * xStride;
        int xo3 = xo + 3 * xStride;
        int xo4 = xo + 4 * xStride;
        int xo5 = xo + 5 * xStride;
        int xo6 = xo + 6 * xStride;
        int xo7 = xo + 7 * xStride;
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F), a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        for (int i = 0; i < COLS; i += 32, tile += BLOCK) {
            FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F), s4 = FloatVector.zero(F), s5 = FloatVector.zero(F), s6 = FloatVector.zero(F), s7 = FloatVector.zero(F);
            for (int c = 0; c < 32; c++) {
                FloatVector w = column(tile, c);
                s0 = w.fma(FloatVector.broadcast(F, xs[xo0 + i + c]), s0);
                s1 = w.fma(FloatVector.broadcast(F, xs[xo1 + i + c]), s1);
                s2 = w.fma(FloatVector.broadcast(F, xs[xo2 + i + c]), s2);
                s3 = w.fma(FloatVector.broadcast(F, xs[xo3 + i + c]), s3);
                s4 = w.fma(FloatVector.broadcast(F, xs[xo4 + i + c]), s4);
                s5 = w.fma(FloatVector.broadcast(F, xs[xo5 + i + c]), s5);
                s6 = w.fma(FloatVector.broadcast(F, xs[xo6 + i + c]), s6);
                s7 = w.fma(FloatVector.broadcast(F, xs[xo7 + i + c]), s7);
            }
            FloatVector d = scales(tile);
            a0 = s0.fma(d, a0);
            a1 = s1.fma(d, a1);
            a2 = s2.fma(d, a2);
            a3 = s3.fma(d, a3);
            a4 = s4.fma(d, a4);
            a5 = s5.fma(d, a5);
            a6 = s6.fma(d, a6);
            a7 = s7.fma(d, a7);
        }
        a0.intoArray(o, oo + 0 * oStride);
        a1.intoArray(o, oo + 1 * oStride);
        a2.intoArray(o, oo + 2 * oStride);
        a3.intoArray(o, oo + 3 * oStride);
        a4.intoArray(o, oo + 4 * oStride);
        a5.intoArray(o, oo + 5 * oStride);
        a6.intoArray(o, oo + 6 * oStride);
        a7.intoArray(o, oo + 7 * oStride);
    }
    void t1x16(long tile, int xo, int xStride, float[] o, int oo, int oStride, float[] acc) {
        int xo0 = xo + 0 * xStride;
        int xo1 = xo + 1 * xStride;
        int xo2 = xo + 2 * xStride;
        int xo3 = xo + 3 * xStride;
        int xo4 = xo + 4 * xStride;
        int xo5 = xo + 5 * xStride;
        int xo6 = xo + 6 * xStride;
        int xo7 = xo + 7 * xStride;
        int xo8 = xo + 8 * xStride;
        int xo9 = xo + 9 * xStride;
        int xo10 = xo + 10 * xStride;
        int xo11 = xo + 11 * xStride;
        int xo12 = xo + 12 * xStride;
        int xo13 = xo + 13 * xStride;
        int xo14 = xo + 14 * xStride;
        int xo15 = xo + 15 * xStride;
        java.util.Arrays.fill(acc, 0, 16 * L, 0f);
        for (int i = 0; i < COLS; i += 32, tile += BLOCK) {
            FloatVector s0 = FloatVector.zero(F), s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), s3 = FloatVector.zero(F), s4 = FloatVector.zero(F), s5 = FloatVector.zero(F), s6 = FloatVector.zero(F), s7 = FloatVector.zero(F), s8 = FloatVector.zero(F), s9 = FloatVector.zero(F), s10 = FloatVector.zero(F), s11 = FloatVector.zero(F), s12 = FloatVector.zero(F), s13 = FloatVector.zero(F), s14 = FloatVector.zero(F), s15 = FloatVector.zero(F);
            for (int c = 0; c < 32; c++) {
                FloatVector w = column(tile, c);
                s0 = w.fma(FloatVector.broadcast(F, xs[xo0 + i + c]), s0);
                s1 = w.fma(FloatVector.broadcast(F, xs[xo1 + i + c]), s1);
                s2 = w.fma(FloatVector.broadcast(F, xs[xo2 + i + c]), s2);
                s3 = w.fma(FloatVector.broadcast(F, xs[xo3 + i + c]), s3);
                s4 = w.fma(FloatVector.broadcast(F, xs[xo4 + i + c]), s4);
                s5 = w.fma(FloatVector.broadcast(F, xs[xo5 + i + c]), s5);
                s6 = w.fma(FloatVector.broadcast(F, xs[xo6 + i + c]), s6);
                s7 = w.fma(FloatVector.broadcast(F, xs[xo7 + i + c]), s7);
                s8 = w.fma(FloatVector.broadcast(F, xs[xo8 + i + c]), s8);
                s9 = w.fma(FloatVector.broadcast(F, xs[xo9 + i + c]), s9);
                s10 = w.fma(FloatVector.broadcast(F, xs[xo10 + i + c]), s10);
                s11 = w.fma(FloatVector.broadcast(F, xs[xo11 + i + c]), s11);
                s12 = w.fma(FloatVector.broadcast(F, xs[xo12 + i + c]), s12);
                s13 = w.fma(FloatVector.broadcast(F, xs[xo13 + i + c]), s13);
                s14 = w.fma(FloatVector.broadcast(F, xs[xo14 + i + c]), s14);
                s15 = w.fma(FloatVector.broadcast(F, xs[xo15 + i + c]), s15);
            }
            FloatVector d = scales(tile);
            s0.fma(d, FloatVector.fromArray(F, acc, 0 * L)).intoArray(acc, 0 * L);
            s1.fma(d, FloatVector.fromArray(F, acc, 1 * L)).intoArray(acc, 1 * L);
            s2.fma(d, FloatVector.fromArray(F, acc, 2 * L)).intoArray(acc, 2 * L);
            s3.fma(d, FloatVector.fromArray(F, acc, 3 * L)).intoArray(acc, 3 * L);
            s4.fma(d, FloatVector.fromArray(F, acc, 4 * L)).intoArray(acc, 4 * L);
            s5.fma(d, FloatVector.fromArray(F, acc, 5 * L)).intoArray(acc, 5 * L);
            s6.fma(d, FloatVector.fromArray(F, acc, 6 * L)).intoArray(acc, 6 * L);
            s7.fma(d, FloatVector.fromArray(F, acc, 7 * L)).intoArray(acc, 7 * L);
            s8.fma(d, FloatVector.fromArray(F, acc, 8 * L)).intoArray(acc, 8 * L);
            s9.fma(d, FloatVector.fromArray(F, acc, 9 * L)).intoArray(acc, 9 * L);
            s10.fma(d, FloatVector.fromArray(F, acc, 10 * L)).intoArray(acc, 10 * L);
            s11.fma(d, FloatVector.fromArray(F, acc, 11 * L)).intoArray(acc, 11 * L);
            s12.fma(d, FloatVector.fromArray(F, acc, 12 * L)).intoArray(acc, 12 * L);
            s13.fma(d, FloatVector.fromArray(F, acc, 13 * L)).intoArray(acc, 13 * L);
            s14.fma(d, FloatVector.fromArray(F, acc, 14 * L)).intoArray(acc, 14 * L);
            s15.fma(d, FloatVector.fromArray(F, acc, 15 * L)).intoArray(acc, 15 * L);
        }
        System.arraycopy(acc, 0 * L, o, oo + 0 * oStride, L);
        System.arraycopy(acc, 1 * L, o, oo + 1 * oStride, L);
        System.arraycopy(acc, 2 * L, o, oo + 2 * oStride, L);
        System.arraycopy(acc, 3 * L, o, oo + 3 * oStride, L);
        System.arraycopy(acc, 4 * L, o, oo + 4 * oStride, L);
        System.arraycopy(acc, 5 * L, o, oo + 5 * oStride, L);
        System.arraycopy(acc, 6 * L, o, oo + 6 * oStride, L);
        System.arraycopy(acc, 7 * L, o, oo + 7 * oStride, L);
        System.arraycopy(acc, 8 * L, o, oo + 8 * oStride, L);
        System.arraycopy(acc, 9 * L, o, oo + 9 * oStride, L);
        System.arraycopy(acc, 10 * L, o, oo + 10 * oStride, L);
        System.arraycopy(acc, 11 * L, o, oo + 11 * oStride, L);
        System.arraycopy(acc, 12 * L, o, oo + 12 * oStride, L);
        System.arraycopy(acc, 13 * L, o, oo + 13 * oStride, L);
        System.arraycopy(acc, 14 * L, o, oo + 14 * oStride, L);
        System.arraycopy(acc, 15 * L, o, oo + 15 * oStride, L);
    }
    void t2x8(long tile, int xo, int xStride, float[] o, int oo, int oStride, float[] acc) {
        int xo0 = xo + 0 * xStride;
        int xo1 = xo + 1 * xStride;
        int xo2 = xo + 2 * xStride;
        int xo3 = xo + 3 * xStride;
        int xo4 = xo + 4 * xStride;
        int xo5 = xo + 5 * xStride;
        int xo6 = xo + 6 * xStride;
        int xo7 = xo + 7 * xStride;
        java.util.Arrays.fill(acc, 0, 16 * L, 0f);
        for (int i = 0; i < COLS; i += 32, tile += BLOCK) {
            FloatVector s0 = FloatVector.zero(F), u0 = s0, s1 = FloatVector.zero(F), u1 = s1, s2 = FloatVector.zero(F), u2 = s2, s3 = FloatVector.zero(F), u3 = s3, s4 = FloatVector.zero(F), u4 = s4, s5 = FloatVector.zero(F), u5 = s5, s6 = FloatVector.zero(F), u6 = s6, s7 = FloatVector.zero(F), u7 = s7;
            for (int c = 0; c < 32; c++) {
                FloatVector w = column(tile, c), v = column(tile + TILE, c);
                FloatVector x0 = FloatVector.broadcast(F, xs[xo0 + i + c]);
                s0 = w.fma(x0, s0); u0 = v.fma(x0, u0);
                FloatVector x1 = FloatVector.broadcast(F, xs[xo1 + i + c]);
                s1 = w.fma(x1, s1); u1 = v.fma(x1, u1);
                FloatVector x2 = FloatVector.broadcast(F, xs[xo2 + i + c]);
                s2 = w.fma(x2, s2); u2 = v.fma(x2, u2);
                FloatVector x3 = FloatVector.broadcast(F, xs[xo3 + i + c]);
                s3 = w.fma(x3, s3); u3 = v.fma(x3, u3);
                FloatVector x4 = FloatVector.broadcast(F, xs[xo4 + i + c]);
                s4 = w.fma(x4, s4); u4 = v.fma(x4, u4);
                FloatVector x5 = FloatVector.broadcast(F, xs[xo5 + i + c]);
                s5 = w.fma(x5, s5); u5 = v.fma(x5, u5);
                FloatVector x6 = FloatVector.broadcast(F, xs[xo6 + i + c]);
                s6 = w.fma(x6, s6); u6 = v.fma(x6, u6);
                FloatVector x7 = FloatVector.broadcast(F, xs[xo7 + i + c]);
                s7 = w.fma(x7, s7); u7 = v.fma(x7, u7);
            }
            FloatVector d = scales(tile), e = scales(tile + TILE);
            s0.fma(d, FloatVector.fromArray(F, acc, 0 * L)).intoArray(acc, 0 * L);
            u0.fma(e, FloatVector.fromArray(F, acc, 8 * L)).intoArray(acc, 8 * L);
            s1.fma(d, FloatVector.fromArray(F, acc, 1 * L)).intoArray(acc, 1 * L);
            u1.fma(e, FloatVector.fromArray(F, acc, 9 * L)).intoArray(acc, 9 * L);
            s2.fma(d, FloatVector.fromArray(F, acc, 2 * L)).intoArray(acc, 2 * L);
            u2.fma(e, FloatVector.fromArray(F, acc, 10 * L)).intoArray(acc, 10 * L);
            s3.fma(d, FloatVector.fromArray(F, acc, 3 * L)).intoArray(acc, 3 * L);
            u3.fma(e, FloatVector.fromArray(F, acc, 11 * L)).intoArray(acc, 11 * L);
            s4.fma(d, FloatVector.fromArray(F, acc, 4 * L)).intoArray(acc, 4 * L);
            u4.fma(e, FloatVector.fromArray(F, acc, 12 * L)).intoArray(acc, 12 * L);
            s5.fma(d, FloatVector.fromArray(F, acc, 5 * L)).intoArray(acc, 5 * L);
            u5.fma(e, FloatVector.fromArray(F, acc, 13 * L)).intoArray(acc, 13 * L);
            s6.fma(d, FloatVector.fromArray(F, acc, 6 * L)).intoArray(acc, 6 * L);
            u6.fma(e, FloatVector.fromArray(F, acc, 14 * L)).intoArray(acc, 14 * L);
            s7.fma(d, FloatVector.fromArray(F, acc, 7 * L)).intoArray(acc, 7 * L);
            u7.fma(e, FloatVector.fromArray(F, acc, 15 * L)).intoArray(acc, 15 * L);
        }
        System.arraycopy(acc, 0 * L, o, oo + 0 * oStride, L);
        System.arraycopy(acc, 8 * L, o, oo + 0 * oStride + L, L);
        System.arraycopy(acc, 1 * L, o, oo + 1 * oStride, L);
        System.arraycopy(acc, 9 * L, o, oo + 1 * oStride + L, L);
        System.arraycopy(acc, 2 * L, o, oo + 2 * oStride, L);
        System.arraycopy(acc, 10 * L, o, oo + 2 * oStride + L, L);
        System.arraycopy(acc, 3 * L, o, oo + 3 * oStride, L);
        System.arraycopy(acc, 11 * L, o, oo + 3 * oStride + L, L);
        System.arraycopy(acc, 4 * L, o, oo + 4 * oStride, L);
        System.arraycopy(acc, 12 * L, o, oo + 4 * oStride + L, L);
        System.arraycopy(acc, 5 * L, o, oo + 5 * oStride, L);
        System.arraycopy(acc, 13 * L, o, oo + 5 * oStride + L, L);
        System.arraycopy(acc, 6 * L, o, oo + 6 * oStride, L);
        System.arraycopy(acc, 14 * L, o, oo + 6 * oStride + L, L);
        System.arraycopy(acc, 7 * L, o, oo + 7 * oStride, L);
        System.arraycopy(acc, 15 * L, o, oo + 7 * oStride + L, L);
    }
}
