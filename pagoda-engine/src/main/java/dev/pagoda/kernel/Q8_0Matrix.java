package dev.pagoda.kernel;

import dev.pagoda.PagodaException;
import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * GGML Q8_0: blocks of 32 values, an F16 scale d then 32 signed bytes q; value = d·q.
 *
 * <p><b>Its reduction order.</b> Output (r, t) = Σ_b d_b · s_b, where a block's s_b = Σ_c q_c ·
 * x_c is summed by FMAs over the block's 32 columns in order starting from 0, and the terms
 * d_b · s_b are added by FMAs in block order starting from 0: the scale is applied once per block,
 * as in the format's own dot product. Every kernel shape, and the scalar {@link #dot}, follows it.
 *
 * <p><b>Tiled layout.</b> The kernels give each of a vector's L lanes its own row. A tile holds L
 * rows (the last one padded); for each block of 32 columns it stores the L rows' scales, then the
 * block's 32 columns in order, each as the L rows' bytes. One L-byte load is then one column of a
 * tile: widened to floats and multiplied by that column's activation broadcast to every lane, with
 * no decode multiply and no lane sums at the end. On the test machine this made the
 * matrix-vector product about twice as fast per thread as the row-wise kernels it replaced (which
 * paid a scale multiply per weight and were compute-bound at 11 GB/s per thread). Row-major is the
 * layout of a mapped checkpoint, only read to be tiled or converted, so its products are scalar.
 *
 * <p><b>Scales in 16 bits.</b> A tile block is 34 bytes per row like the format's own (F32 scales,
 * as before, made it 36: decode, which reads every byte once per token, read 6% more than the
 * model's size). A scale is stored as a code that three lane-wise operations turn into the exact
 * float (see {@link #scaleCode}); converting F16 itself costs a blend for infinities and, for the
 * F16 subnormals that small blocks' scales are, a multiplication with a subnormal operand, which
 * made the kernel a fifth slower on the test machine. The code has no sign bit: a negative scale
 * is stored as its magnitude with the block's quants negated (the same products, bit for bit; a
 * zero weight under it decodes as +0 rather than −0), and
 * {@link #packInto} refuses what it cannot represent (a non-finite scale, or a negative one with a
 * quant of −128), as llama.cpp refuses non-finite scales when it loads a model.
 */
public final class Q8_0Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = VectorMath.L;
    /** L bytes: one column of a tile, widened to L floats. */
    private static final VectorSpecies<Byte> BL = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L));
    private static final int CHECKPOINT_BLOCK_BYTES = 34;
    /** A tile's block: L 16-bit scale codes, then 32 columns of L bytes. */
    private static final int TILE_SCALE_BYTES = 2 * L;
    private static final int TILE_BLOCK_BYTES = TILE_SCALE_BYTES + 32 * L;
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** A code's bits moved to a float's place are its scale times 2^−102 (see {@link #scaleCode}). */
    private static final float CODE_REBIAS = 0x1p102f;

    private final boolean tiled;
    /** Bytes of one tile (L rows, every column) in the tiled layout. */
    private final long tileBytes;

    Q8_0Matrix(String name, int rows, int cols, MemorySegment data, boolean tiled) {
        super(name, rows, cols, data, DType.Q8_0);
        this.tiled = tiled;
        this.tileBytes = (long) (cols / 32) * TILE_BLOCK_BYTES;
    }

    /** Bytes of the tiled layout of a rows × cols matrix. */
    static long packedBytes(int rows, int cols) {
        return tiles(rows) * (long) (cols / 32) * TILE_BLOCK_BYTES;
    }

    private static long tiles(int rows) {
        return (rows + L - 1) / L;
    }

    @Override
    public WeightMatrix packInto(MemorySegment dst) {
        Q8_0Matrix p = new Q8_0Matrix(name, rows, cols, dst, true);
        IntStream.range(0, (int) tiles(rows)).parallel().forEach(tile -> {
            byte[] block = new byte[TILE_BLOCK_BYTES];
            MemorySegment staged = MemorySegment.ofArray(block);
            for (int b = 0; b < cols / 32; b++) {
                for (int lane = 0; lane < L; lane++) {
                    int r = tile * L + lane;
                    boolean real = r < rows;
                    float d = real ? scale(r, b) : 0f;
                    // A negative scale is stored as its magnitude, the quants negated: (−q)·|d| = q·d.
                    boolean negate = d < 0;
                    staged.set(LE_SHORT, 2L * lane, scaleCode(Math.abs(d), r, b));
                    for (int c = 0; c < 32; c++) {
                        byte q = real ? quant(r, b, c) : 0;
                        if (negate && q == Byte.MIN_VALUE) {
                            throw new PagodaException("tensor '" + name + "': Q8_0 block " + b + " of row " + r
                                    + " has a negative scale and a quant of -128, which Pagoda's layout cannot hold (negating it overflows)");
                        }
                        block[TILE_SCALE_BYTES + c * L + lane] = negate ? (byte) -q : q;
                    }
                }
                MemorySegment.copy(staged, 0, dst, p.blockOffset(tile * L, b), TILE_BLOCK_BYTES);
            }
        });
        return p;
    }

    /**
     * The 16-bit code of a scale magnitude: 0 for zero, else the float's exponent field less 102
     * (1–40 for the F16 range: a normal float whatever the F16's kind) above its top 10 mantissa
     * bits (every F16 value has no more). Its bits shifted to a float's place, times 2^102, are the
     * scale again, exactly, with no subnormal operand ({@link #scales}). Row r, block b name a
     * refused scale.
     */
    private short scaleCode(float magnitude, int r, int b) {
        if (!Float.isFinite(magnitude)) {
            throw new PagodaException("tensor '" + name + "': Q8_0 block " + b + " of row " + r + " has a non-finite scale (" + magnitude + ")");
        }
        if (magnitude == 0) return 0;
        int bits = Float.floatToRawIntBits(magnitude);
        return (short) (((bits >>> 23) - 102) << 10 | (bits >>> 13 & 0x3FF));
    }

    /** The scale a {@link #scaleCode} stands for (the same operations as {@link #scales}). */
    private static float scaleOfCode(short code) {
        return Float.intBitsToFloat((code & 0xFFFF) << 13) * CODE_REBIAS;
    }

    @Override
    public int rowGrain() {
        return tiled ? 4 * L : super.rowGrain();
    }

    /** Byte offset of block b of row r's tile (tiled) or of row r (row-major). */
    private long blockOffset(int r, int b) {
        return tiled ? (r / L) * tileBytes + (long) b * TILE_BLOCK_BYTES : r * rowBytes + (long) b * CHECKPOINT_BLOCK_BYTES;
    }

    private float scale(int r, int b) {
        long block = blockOffset(r, b);
        return tiled ? scaleOfCode(data.get(LE_SHORT, block + 2L * (r % L))) : Float.float16ToFloat(data.get(LE_SHORT, block));
    }

    private byte quant(int r, int b, int c) {
        long block = blockOffset(r, b);
        return data.get(ValueLayout.JAVA_BYTE, tiled ? block + TILE_SCALE_BYTES + (long) c * L + r % L : block + 2 + c);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        for (int b = 0; b < cols / 32; b++) {
            float d = scale(row, b);
            for (int c = 0; c < 32; c++) dst[off + 32 * b + c] = quant(row, b, c) * d;
        }
    }

    @Override
    float dot(int r, float[] x, int xo) {
        float acc = 0;
        for (int b = 0; b < cols / 32; b++) {
            float s = 0;
            for (int c = 0; c < 32; c++) s = Math.fma(quant(r, b, c), x[xo + 32 * b + c], s);
            acc = Math.fma(s, scale(r, b), acc);
        }
        return acc;
    }

    /**
     * Tiled: tokens eight (then four) at a time over two neighbouring tiles (see {@link #tiles2x8};
     * a tile's weights stay in cache for the tokens), then the 1–3 tokens left together over four
     * tiles at once (decode's shape: four streams in flight, see {@link #tiles4x1}).
     * A last tile that is only partly rows of the matrix goes through {@code lanes}.
     */
    @Override
    public void multiply(int r0, int r1, float[] x, int xStride, int t0, int t1, float[] out, int outStride, float[] lanes) {
        if (!tiled) {
            for (int r = r0; r < r1; r++) {
                for (int t = t0; t < t1; t++) out[t * outStride + r] = dot(r, x, t * xStride);
            }
            return;
        }
        if (r0 % L != 0) throw new IllegalArgumentException("row " + r0 + " does not start a tile of " + L);
        int octEnd = t0 + (t1 - t0) / 8 * 8, quadEnd = octEnd + (t1 - octEnd) / 4 * 4;
        int pairsEnd = r0 + (r1 - r0) / (2 * L) * (2 * L);
        for (int r = r0; r < pairsEnd; r += 2 * L) {
            long tile = (r / L) * tileBytes;
            for (int t = t0; t < octEnd; t += 8) tiles2x8(tile, x, t * xStride, xStride, out, t * outStride + r, outStride, lanes);
            for (int t = octEnd; t < quadEnd; t += 4) tiles2x4(tile, x, t * xStride, xStride, out, t * outStride + r, outStride);
        }
        for (int r = pairsEnd; r < r1; r += L) {
            long tile = (r / L) * tileBytes;
            int n = Math.min(L, r1 - r);
            boolean whole = n == L;
            float[] dst = whole ? out : lanes;
            int dstStride = whole ? outStride : L;
            for (int t = t0; t < octEnd; t += 8) {
                tile1x8(tile, x, t * xStride, xStride, dst, whole ? t * outStride + r : 0, dstStride);
                if (!whole) copyRows(lanes, 8, n, out, t * outStride + r, outStride);
            }
            for (int t = octEnd; t < quadEnd; t += 4) {
                tile1x4(tile, x, t * xStride, xStride, dst, whole ? t * outStride + r : 0, dstStride);
                if (!whole) copyRows(lanes, 4, n, out, t * outStride + r, outStride);
            }
        }
        // Decode, and the 1–3 tokens left: the range's whole tiles in four quarters, one tile of
        // each at a time, so that each quarter is one long sequential stream, all the tokens at
        // once (the weights read once for them).
        int rest = t1 - quadEnd;
        if (rest == 0) return;
        int quarter = (r1 - r0) / L / 4, xo = quadEnd * xStride, oo = quadEnd * outStride;
        long g = quarter * tileBytes;
        for (int k = 0; k < quarter; k++) {
            int r = r0 + k * L;
            long tile = (r / L) * tileBytes;
            switch (rest) {
                case 1 -> tiles4x1(tile, g, x, xo, out, oo + r, quarter * L);
                case 2 -> tiles4x2(tile, g, x, xo, xStride, out, oo + r, outStride, quarter * L);
                default -> tiles4x3(tile, g, x, xo, xStride, out, oo + r, outStride, quarter * L, lanes);
            }
        }
        for (int t = quadEnd; t < t1; t++) tilesAlone(r0 + 4 * quarter * L, r1, x, t * xStride, out, t * outStride, outStride, lanes);
    }

    /** Rows [r0, r1) (whole tiles, the last maybe partial) times the activation row at xo, a tile at a time; row r to out[oo + r]. */
    private void tilesAlone(int r0, int r1, float[] x, int xo, float[] out, int oo, int outStride, float[] lanes) {
        for (int r = r0; r < r1; r += L) {
            int n = Math.min(L, r1 - r);
            tile1x1((r / L) * tileBytes, x, xo, n == L ? out : lanes, n == L ? oo + r : 0);
            if (n < L) copyRows(lanes, 1, n, out, oo + r, outStride);
        }
    }

    /** The first n rows of a partial tile's outputs for {@code tokens} tokens, from lanes (L per token) to out. */
    private static void copyRows(float[] lanes, int tokens, int n, float[] out, int oo, int outStride) {
        for (int j = 0; j < tokens; j++) System.arraycopy(lanes, j * L, out, oo + j * outStride, n);
    }

    /** Column c of the tile block at byte offset {@code block}: its L rows' bytes as floats. */
    private FloatVector column(long block, int c) {
        ByteVector q = ByteVector.fromMemorySegment(BL, data, block + TILE_SCALE_BYTES + (long) c * L, ByteOrder.LITTLE_ENDIAN);
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, 0);
    }

    /** The L rows' scales of the tile block at byte offset {@code block}, from their codes. */
    private FloatVector scales(long block) {
        IntVector codes = (IntVector) ShortVector.fromMemorySegment(VectorMath.S16, data, block, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_S2I, VectorMath.I32, 0);
        return codes.lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(CODE_REBIAS);
    }

    /**
     * Four tiles {@code g} bytes apart, from byte offset {@code tile}, times the activation
     * row at xo; out[oo + k·rowStride + i] gets row i of tile k. Four independent FMA chains hide
     * the FMA latency one chain per block would expose (measured: 20 GB/s per thread against 17
     * with two tiles, 15 with one). Four tiles a quarter of the range apart, rather than
     * neighbours, make four long streams instead of four that end after one tile: from memory,
     * 21 GB/s per thread instead of 14 on 896-column rows (a harness, 57 MB matrix).
     */
    private void tiles4x1(long tile, long g, float[] x, int xo, float[] out, int oo, int rowStride) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < cols; i += 32, tile += TILE_BLOCK_BYTES) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int c = 0; c < 32; c++) {
                FloatVector xc = FloatVector.broadcast(F, x[xo + i + c]);
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

    /**
     * {@link #tiles4x1} for the two activation rows at xo and xo + xStride: each column is loaded
     * and widened once for both tokens, so two sequences decoding together read the weights once.
     * Token 1's rows go to out[oo + outStride + ...].
     */
    private void tiles4x2(long tile, long g, float[] x, int xo, int xStride, float[] out, int oo, int outStride, int rowStride) {
        int yo = xo + xStride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int i = 0; i < cols; i += 32, tile += TILE_BLOCK_BYTES) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, p0 = s0, p1 = s0, p2 = s0, p3 = s0;
            for (int c = 0; c < 32; c++) {
                FloatVector xc = FloatVector.broadcast(F, x[xo + i + c]), yc = FloatVector.broadcast(F, x[yo + i + c]);
                FloatVector w0 = column(tile, c), w1 = column(tile + g, c), w2 = column(tile + 2 * g, c), w3 = column(tile + 3 * g, c);
                s0 = w0.fma(xc, s0);
                p0 = w0.fma(yc, p0);
                s1 = w1.fma(xc, s1);
                p1 = w1.fma(yc, p1);
                s2 = w2.fma(xc, s2);
                p2 = w2.fma(yc, p2);
                s3 = w3.fma(xc, s3);
                p3 = w3.fma(yc, p3);
            }
            FloatVector d0 = scales(tile), d1 = scales(tile + g), d2 = scales(tile + 2 * g), d3 = scales(tile + 3 * g);
            a0 = s0.fma(d0, a0);
            b0 = p0.fma(d0, b0);
            a1 = s1.fma(d1, a1);
            b1 = p1.fma(d1, b1);
            a2 = s2.fma(d2, a2);
            b2 = p2.fma(d2, b2);
            a3 = s3.fma(d3, a3);
            b3 = p3.fma(d3, b3);
        }
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + rowStride);
        a2.intoArray(out, oo + 2 * rowStride);
        a3.intoArray(out, oo + 3 * rowStride);
        int oo1 = oo + outStride;
        b0.intoArray(out, oo1);
        b1.intoArray(out, oo1 + rowStride);
        b2.intoArray(out, oo1 + 2 * rowStride);
        b3.intoArray(out, oo1 + 3 * rowStride);
    }

    /**
     * {@link #tiles4x1} for the three activation rows at xo, xo + xStride, xo + 2·xStride. Twelve
     * FMA chains and the four columns nearly fill the vector registers, so the blocks' scaled sums
     * wait in {@code acc} (12·L floats), each added exactly as {@link #tiles4x1} adds it.
     */
    private void tiles4x3(long tile, long g, float[] x, int xo, int xStride, float[] out, int oo, int outStride, int rowStride, float[] acc) {
        int yo = xo + xStride, zo = yo + xStride;
        java.util.Arrays.fill(acc, 0, 12 * L, 0f);
        for (int i = 0; i < cols; i += 32, tile += TILE_BLOCK_BYTES) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, p0 = s0, p1 = s0, p2 = s0, p3 = s0;
            FloatVector q0 = s0, q1 = s0, q2 = s0, q3 = s0;
            for (int c = 0; c < 32; c++) {
                FloatVector xc = FloatVector.broadcast(F, x[xo + i + c]), yc = FloatVector.broadcast(F, x[yo + i + c]),
                        zc = FloatVector.broadcast(F, x[zo + i + c]);
                FloatVector w0 = column(tile, c), w1 = column(tile + g, c), w2 = column(tile + 2 * g, c), w3 = column(tile + 3 * g, c);
                s0 = w0.fma(xc, s0);
                p0 = w0.fma(yc, p0);
                q0 = w0.fma(zc, q0);
                s1 = w1.fma(xc, s1);
                p1 = w1.fma(yc, p1);
                q1 = w1.fma(zc, q1);
                s2 = w2.fma(xc, s2);
                p2 = w2.fma(yc, p2);
                q2 = w2.fma(zc, q2);
                s3 = w3.fma(xc, s3);
                p3 = w3.fma(yc, p3);
                q3 = w3.fma(zc, q3);
            }
            FloatVector d0 = scales(tile), d1 = scales(tile + g), d2 = scales(tile + 2 * g), d3 = scales(tile + 3 * g);
            // acc: token j's quarter k at (4j + k)·L
            s0.fma(d0, FloatVector.fromArray(F, acc, 0)).intoArray(acc, 0);
            s1.fma(d1, FloatVector.fromArray(F, acc, L)).intoArray(acc, L);
            s2.fma(d2, FloatVector.fromArray(F, acc, 2 * L)).intoArray(acc, 2 * L);
            s3.fma(d3, FloatVector.fromArray(F, acc, 3 * L)).intoArray(acc, 3 * L);
            p0.fma(d0, FloatVector.fromArray(F, acc, 4 * L)).intoArray(acc, 4 * L);
            p1.fma(d1, FloatVector.fromArray(F, acc, 5 * L)).intoArray(acc, 5 * L);
            p2.fma(d2, FloatVector.fromArray(F, acc, 6 * L)).intoArray(acc, 6 * L);
            p3.fma(d3, FloatVector.fromArray(F, acc, 7 * L)).intoArray(acc, 7 * L);
            q0.fma(d0, FloatVector.fromArray(F, acc, 8 * L)).intoArray(acc, 8 * L);
            q1.fma(d1, FloatVector.fromArray(F, acc, 9 * L)).intoArray(acc, 9 * L);
            q2.fma(d2, FloatVector.fromArray(F, acc, 10 * L)).intoArray(acc, 10 * L);
            q3.fma(d3, FloatVector.fromArray(F, acc, 11 * L)).intoArray(acc, 11 * L);
        }
        for (int j = 0; j < 3; j++) {
            for (int k = 0; k < 4; k++) System.arraycopy(acc, (4 * j + k) * L, out, oo + j * outStride + k * rowStride, L);
        }
    }

    /** The tile at byte offset {@code tile} times the activation row at xo; out[oo + i] gets its row i. */
    private void tile1x1(long tile, float[] x, int xo, float[] out, int oo) {
        FloatVector a = FloatVector.zero(F);
        for (int i = 0; i < cols; i += 32, tile += TILE_BLOCK_BYTES) {
            FloatVector s = FloatVector.zero(F);
            for (int c = 0; c < 32; c++) s = column(tile, c).fma(FloatVector.broadcast(F, x[xo + i + c]), s);
            a = s.fma(scales(tile), a);
        }
        a.intoArray(out, oo);
    }

    /**
     * The tile at byte offset {@code tile} times the 4 activation rows at xo, xo + xStride, ...;
     * out[oo + j·outStride + i] gets its row i, token j. Each column is widened once for the
     * four tokens.
     */
    private void tile1x4(long tile, float[] x, int xo, int xStride, float[] out, int oo, int outStride) {
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < cols; i += 32, tile += TILE_BLOCK_BYTES) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int c = 0; c < 32; c++) {
                FloatVector w = column(tile, c);
                s0 = w.fma(FloatVector.broadcast(F, x[xo + i + c]), s0);
                s1 = w.fma(FloatVector.broadcast(F, x[xo1 + i + c]), s1);
                s2 = w.fma(FloatVector.broadcast(F, x[xo2 + i + c]), s2);
                s3 = w.fma(FloatVector.broadcast(F, x[xo3 + i + c]), s3);
            }
            FloatVector d = scales(tile);
            a0 = s0.fma(d, a0);
            a1 = s1.fma(d, a1);
            a2 = s2.fma(d, a2);
            a3 = s3.fma(d, a3);
        }
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + outStride);
        a2.intoArray(out, oo + 2 * outStride);
        a3.intoArray(out, oo + 3 * outStride);
    }

    /**
     * Two neighbouring tiles (byte offsets {@code tile} and {@code tile + tileBytes}) times the 8
     * activation rows at xo, xo + xStride, ...; out[oo + j·outStride + i] gets row i (of 2L),
     * token j. Each activation broadcast feeds two FMAs instead of one: with one tile the 8
     * broadcasts per column, not the FMAs, were the limit (one thread, 896 columns, 16 tokens,
     * weights in cache: 82–89 GFLOP/s against 67–70 for two passes of {@link #tile1x8}). Sixteen
     * chains fill the vector registers, so the blocks' scaled sums wait in {@code acc} (16·L
     * floats), each added exactly as {@link #tile1x8} adds it.
     */
    private void tiles2x8(long tile, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] acc) {
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride, xo4 = xo3 + xStride, xo5 = xo4 + xStride,
                xo6 = xo5 + xStride, xo7 = xo6 + xStride;
        long next = tile + tileBytes;
        java.util.Arrays.fill(acc, 0, 16 * L, 0f);
        for (int i = 0; i < cols; i += 32, tile += TILE_BLOCK_BYTES, next += TILE_BLOCK_BYTES) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            FloatVector u0 = s0, u1 = s0, u2 = s0, u3 = s0, u4 = s0, u5 = s0, u6 = s0, u7 = s0;
            for (int c = 0; c < 32; c++) {
                FloatVector w = column(tile, c), v = column(next, c);
                FloatVector x0 = FloatVector.broadcast(F, x[xo + i + c]);
                s0 = w.fma(x0, s0);
                u0 = v.fma(x0, u0);
                FloatVector x1 = FloatVector.broadcast(F, x[xo1 + i + c]);
                s1 = w.fma(x1, s1);
                u1 = v.fma(x1, u1);
                FloatVector x2 = FloatVector.broadcast(F, x[xo2 + i + c]);
                s2 = w.fma(x2, s2);
                u2 = v.fma(x2, u2);
                FloatVector x3 = FloatVector.broadcast(F, x[xo3 + i + c]);
                s3 = w.fma(x3, s3);
                u3 = v.fma(x3, u3);
                FloatVector x4 = FloatVector.broadcast(F, x[xo4 + i + c]);
                s4 = w.fma(x4, s4);
                u4 = v.fma(x4, u4);
                FloatVector x5 = FloatVector.broadcast(F, x[xo5 + i + c]);
                s5 = w.fma(x5, s5);
                u5 = v.fma(x5, u5);
                FloatVector x6 = FloatVector.broadcast(F, x[xo6 + i + c]);
                s6 = w.fma(x6, s6);
                u6 = v.fma(x6, u6);
                FloatVector x7 = FloatVector.broadcast(F, x[xo7 + i + c]);
                s7 = w.fma(x7, s7);
                u7 = v.fma(x7, u7);
            }
            FloatVector d = scales(tile), e = scales(next);
            s0.fma(d, FloatVector.fromArray(F, acc, 0 * L)).intoArray(acc, 0 * L);
            u0.fma(e, FloatVector.fromArray(F, acc, 1 * L)).intoArray(acc, 1 * L);
            s1.fma(d, FloatVector.fromArray(F, acc, 2 * L)).intoArray(acc, 2 * L);
            u1.fma(e, FloatVector.fromArray(F, acc, 3 * L)).intoArray(acc, 3 * L);
            s2.fma(d, FloatVector.fromArray(F, acc, 4 * L)).intoArray(acc, 4 * L);
            u2.fma(e, FloatVector.fromArray(F, acc, 5 * L)).intoArray(acc, 5 * L);
            s3.fma(d, FloatVector.fromArray(F, acc, 6 * L)).intoArray(acc, 6 * L);
            u3.fma(e, FloatVector.fromArray(F, acc, 7 * L)).intoArray(acc, 7 * L);
            s4.fma(d, FloatVector.fromArray(F, acc, 8 * L)).intoArray(acc, 8 * L);
            u4.fma(e, FloatVector.fromArray(F, acc, 9 * L)).intoArray(acc, 9 * L);
            s5.fma(d, FloatVector.fromArray(F, acc, 10 * L)).intoArray(acc, 10 * L);
            u5.fma(e, FloatVector.fromArray(F, acc, 11 * L)).intoArray(acc, 11 * L);
            s6.fma(d, FloatVector.fromArray(F, acc, 12 * L)).intoArray(acc, 12 * L);
            u6.fma(e, FloatVector.fromArray(F, acc, 13 * L)).intoArray(acc, 13 * L);
            s7.fma(d, FloatVector.fromArray(F, acc, 14 * L)).intoArray(acc, 14 * L);
            u7.fma(e, FloatVector.fromArray(F, acc, 15 * L)).intoArray(acc, 15 * L);
        }
        for (int j = 0; j < 8; j++) System.arraycopy(acc, 2 * j * L, out, oo + j * outStride, 2 * L);
    }

    /**
     * {@link #tiles2x8} for 4 activation rows, its accumulators all in registers (a batch of 4 to
     * 7 sequences: two passes of {@link #tile1x4} made 4 tokens cost more than 2).
     */
    private void tiles2x4(long tile, float[] x, int xo, int xStride, float[] out, int oo, int outStride) {
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride;
        long next = tile + tileBytes;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int i = 0; i < cols; i += 32, tile += TILE_BLOCK_BYTES, next += TILE_BLOCK_BYTES) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, u0 = s0, u1 = s0, u2 = s0, u3 = s0;
            for (int c = 0; c < 32; c++) {
                FloatVector w = column(tile, c), v = column(next, c);
                FloatVector x0 = FloatVector.broadcast(F, x[xo + i + c]);
                s0 = w.fma(x0, s0);
                u0 = v.fma(x0, u0);
                FloatVector x1 = FloatVector.broadcast(F, x[xo1 + i + c]);
                s1 = w.fma(x1, s1);
                u1 = v.fma(x1, u1);
                FloatVector x2 = FloatVector.broadcast(F, x[xo2 + i + c]);
                s2 = w.fma(x2, s2);
                u2 = v.fma(x2, u2);
                FloatVector x3 = FloatVector.broadcast(F, x[xo3 + i + c]);
                s3 = w.fma(x3, s3);
                u3 = v.fma(x3, u3);
            }
            FloatVector d = scales(tile), e = scales(next);
            a0 = s0.fma(d, a0);
            b0 = u0.fma(e, b0);
            a1 = s1.fma(d, a1);
            b1 = u1.fma(e, b1);
            a2 = s2.fma(d, a2);
            b2 = u2.fma(e, b2);
            a3 = s3.fma(d, a3);
            b3 = u3.fma(e, b3);
        }
        a0.intoArray(out, oo);
        b0.intoArray(out, oo + L);
        a1.intoArray(out, oo + outStride);
        b1.intoArray(out, oo + outStride + L);
        a2.intoArray(out, oo + 2 * outStride);
        b2.intoArray(out, oo + 2 * outStride + L);
        a3.intoArray(out, oo + 3 * outStride);
        b3.intoArray(out, oo + 3 * outStride + L);
    }

    /**
     * The tile at byte offset {@code tile} times the 8 activation rows at xo, xo + xStride, ...;
     * out[oo + j·outStride + i] gets its row i, token j (measured against four tokens: 5–15%
     * more GFLOP/s at 16 and 128 tokens).
     */
    private void tile1x8(long tile, float[] x, int xo, int xStride, float[] out, int oo, int outStride) {
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride, xo4 = xo3 + xStride, xo5 = xo4 + xStride,
                xo6 = xo5 + xStride, xo7 = xo6 + xStride;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int i = 0; i < cols; i += 32, tile += TILE_BLOCK_BYTES) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int c = 0; c < 32; c++) {
                FloatVector w = column(tile, c);
                s0 = w.fma(FloatVector.broadcast(F, x[xo + i + c]), s0);
                s1 = w.fma(FloatVector.broadcast(F, x[xo1 + i + c]), s1);
                s2 = w.fma(FloatVector.broadcast(F, x[xo2 + i + c]), s2);
                s3 = w.fma(FloatVector.broadcast(F, x[xo3 + i + c]), s3);
                s4 = w.fma(FloatVector.broadcast(F, x[xo4 + i + c]), s4);
                s5 = w.fma(FloatVector.broadcast(F, x[xo5 + i + c]), s5);
                s6 = w.fma(FloatVector.broadcast(F, x[xo6 + i + c]), s6);
                s7 = w.fma(FloatVector.broadcast(F, x[xo7 + i + c]), s7);
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
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + outStride);
        a2.intoArray(out, oo + 2 * outStride);
        a3.intoArray(out, oo + 3 * outStride);
        a4.intoArray(out, oo + 4 * outStride);
        a5.intoArray(out, oo + 5 * outStride);
        a6.intoArray(out, oo + 6 * outStride);
        a7.intoArray(out, oo + 7 * outStride);
    }

    @Override
    public DType type() {
        return DType.Q8_0;
    }
}
