package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;

import java.lang.foreign.MemorySegment;

/**
 * The formats whose kernels sum along a row in vector lanes (F32, F16, BF16, Q4_0): blocks of 4
 * rows × 4 tokens (and, packed F32/BF16, 8 rows × 2 tokens) for batches, 8 or 4 rows × 1 token
 * for decode.
 *
 * <p><b>Their reduction order.</b> Output (r, t) = W[r] · x[t] is computed the same way by every
 * kernel shape (4 rows × 4 tokens, 8 rows × 2 tokens, 8 or 4 rows × 1 token, 1 × 1): one vector
 * accumulator takes the fused multiply-adds of the L-wide chunks 0, 1, 2, ... in order; its lanes
 * are summed in the order of {@link VectorMath#sumLanes} (by {@link VectorMath#foldLanes} where
 * the accumulators leave through {@code lanes}); the columns past the last whole chunk are then
 * added one by one with scalar FMAs. The decoded weight values are the same exact floats in every shape.
 */
abstract sealed class LaneSumMatrix extends WeightMatrix permits ChunkedMatrix, F16Matrix, Q4_0Matrix {

    LaneSumMatrix(String name, int rows, int cols, MemorySegment data, DType type) {
        super(name, rows, cols, data, type);
    }

    /**
     * Rows per tile of the packed layouts: the height of the decode kernel {@link #block8x1}.
     * A mapped checkpoint stores a matrix row by row; the 8-row kernel then reads 8 streams that
     * each end after one row — for a 896-column matrix, 28 cache lines — too short for the
     * hardware prefetchers. Packed, a tile's 8 rows are interleaved chunk by chunk and the
     * kernel reads one sequential stream: in a C test over a 0.9 GB BF16 matrix of 896 columns,
     * 20–30 GB/s instead of 10–17.
     */
    public static final int TILE_ROWS = 8;

    static long tiles(int rows) {
        return (rows + TILE_ROWS - 1) / TILE_ROWS;
    }

    /**
     * out[t·outStride + r] = W[r] · x[t·xStride ..) for rows [r0, r1) and tokens [t0, t1): blocks
     * of 4 rows × 4 tokens, leftover tokens 8 rows at a time (then 4), leftover rows one by one.
     * With {@link #pairsFirst()}, each 8-row tile starts with 8 rows × 2 tokens and leftover
     * pairs of tokens take that shape too.
     */
    @Override
    public final void multiply(int r0, int r1, float[] x, int xStride, int t0, int t1, float[] out, int outStride, float[] lanes) {
        if (!blockKernels()) {
            for (int r = r0; r < r1; r++) {
                for (int t = t0; t < t1; t++) out[t * outStride + r] = dot(r, x, t * xStride);
            }
            return;
        }
        boolean pairs = pairsFirst();
        int r = r0;
        for (; r + 8 <= r1; r += 8) {
            int t = t0;
            if (pairs && t + 2 <= t1) {
                block8x2(r, x, t * xStride, xStride, out, t * outStride + r, outStride, lanes);
                t += 2;
            }
            for (; t + 4 <= t1; t += 4) {
                block4x4(r, x, t * xStride, xStride, out, t * outStride + r, outStride, lanes);
                block4x4(r + 4, x, t * xStride, xStride, out, t * outStride + r + 4, outStride, lanes);
            }
            for (; pairs && t + 2 <= t1; t += 2) block8x2(r, x, t * xStride, xStride, out, t * outStride + r, outStride, lanes);
            for (; t < t1; t++) block8x1(r, x, t * xStride, out, t * outStride + r, lanes);
        }
        for (; r + 4 <= r1; r += 4) {
            int t = t0;
            for (; t + 4 <= t1; t += 4) block4x4(r, x, t * xStride, xStride, out, t * outStride + r, outStride, lanes);
            for (; t < t1; t++) block4x1(r, x, t * xStride, out, t * outStride + r);
        }
        for (; r < r1; r++) {
            for (int t = t0; t < t1; t++) out[t * outStride + r] = dot(r, x, t * xStride);
        }
    }

    /**
     * Rows r..r+3 times the 4 activation rows at xo, xo + xStride, ...; out[oo + j·outStride + i]
     * gets row r+i, token j. The 16 accumulators leave through {@code lanes} and are summed by
     * {@link #finishBlock}: with sixteen lane sums inlined, C2 hit its node-count limit and boxed
     * the accumulators.
     */
    abstract void block4x4(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] lanes);

    /** One value of the matrix, decoded by scalar code (for the columns after the last whole vector). */
    abstract float weight(int row, int col);

    /**
     * The outputs of a block of {@code rowCount} rows × {@code tokenCount} tokens from its
     * accumulators' lanes (row r+i, token j at lanes[(tokenCount·i + j)·L]): the lane sum, then
     * the columns from {@code tail} on, as every shape does. The kernels store their accumulators
     * to {@code lanes} rather than pass the vectors: a method taking them made C2 box them once
     * the kernel outgrew its inlining budget.
     */
    final void finishBlock(float[] lanes, int rowCount, int tokenCount, int tail, int r, float[] x, int xo, int xStride,
                           float[] out, int oo, int outStride) {
        VectorMath.foldLanes(lanes, rowCount * tokenCount);
        for (int i = 0; i < rowCount; i++) {
            for (int j = 0; j < tokenCount; j++) {
                int k = 4 * (tokenCount * i + j);
                float sum = ((lanes[k] + lanes[k + 1]) + lanes[k + 2]) + lanes[k + 3];
                int xr = xo + j * xStride;
                for (int c = tail; c < cols; c++) sum = Math.fma(weight(r + i, c), x[xr + c], sum);
                out[oo + j * outStride + i] = sum;
            }
        }
    }

    /** Rows r..r+3 times the activation row at xo; out[oo + i] gets row r+i. */
    abstract void block4x1(int r, float[] x, int xo, float[] out, int oo);

    /**
     * Rows r..r+7 times the activation row at xo; out[oo + i] gets row r+i. Decode's shape: eight
     * weight rows streamed at once keep more memory reads in flight than four (on the test
     * machine a BF16 matrix-vector product read 23 GB/s this way against 19 with four rows, one
     * thread). By default two 4 × 1 blocks, for formats without their own.
     */
    void block8x1(int r, float[] x, int xo, float[] out, int oo, float[] lanes) {
        block4x1(r, x, xo, out, oo);
        block4x1(r + 4, x, xo, out, oo + 4);
    }

    /**
     * Rows r..r+7 times the 2 activation rows at xo and xo + xStride; out[oo + j·outStride + i]
     * gets row r+i, token j. Where the 4 × 4 blocks read a packed tile's rows in two halves,
     * this shape reads each chunk of the tile whole, one sequential stream: as a tile's first
     * read (the rest come from cache) it made a 16-token F32 product 25% faster on the test
     * machine (one thread, 55–57 against 44–46 GFLOP/s). By default two 8 × 1 blocks.
     */
    void block8x2(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] lanes) {
        block8x1(r, x, xo, out, oo, lanes);
        block8x1(r, x, xo + xStride, out, oo + outStride, lanes);
    }

    /** Whether a tile's first two tokens, and leftover pairs, go through {@link #block8x2}. */
    boolean pairsFirst() {
        return false;
    }

    /** Whether the block shapes can read this layout; if not, every output is one {@link #dot}. */
    boolean blockKernels() {
        return true;
    }
}
