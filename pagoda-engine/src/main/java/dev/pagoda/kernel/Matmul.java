package dev.pagoda.kernel;

/**
 * out = x · Wᵀ for a batch of m activation rows: out[t][r] = dot(W[r], x[t]).
 *
 * <p>Workers split the weight rows; each decodes a row once and multiplies it with all m
 * activation rows, so every weight is read once per call whatever the batch size. Each output
 * element is one {@link VectorMath#dot} over the same decoded row, so the result for a token
 * does not depend on m or on the thread count (batch invariance).
 */
public final class Matmul {
    private final WorkerPool pool;
    /** One decoded-row buffer per worker, as wide as the widest matrix. */
    private final float[][] rowScratch;
    /** Weight rows decoded by {@link #multiply} so far: the structural check that weights are read once per step. */
    private long weightRowsRead;

    public Matmul(WorkerPool pool, int maxCols) {
        this.pool = pool;
        this.rowScratch = new float[pool.size()][maxCols];
    }

    /**
     * @param x   m rows of {@code w.cols()} values, row t starting at {@code t * xStride}
     * @param out m rows of {@code w.rows()} values, row t starting at {@code t * outStride}
     */
    public void multiply(WeightMatrix w, float[] x, int xStride, int m, float[] out, int outStride) {
        int cols = w.cols();
        weightRowsRead += w.rows();
        pool.parallelFor(w.rows(), (long) w.rows() * cols * m, (worker, start, end) -> {
            float[] row = rowScratch[worker];
            for (int r = start; r < end; r++) {
                w.decodeRow(r, row, 0);
                for (int t = 0; t < m; t++) {
                    out[t * outStride + r] = VectorMath.dot(row, 0, x, t * xStride, cols);
                }
            }
        });
    }

    /** Gathers rows of {@code w} (an embedding table) for the given ids into out, row t at t * w.cols(). */
    public void gatherRows(WeightMatrix w, int[] ids, int n, float[] out) {
        pool.parallelFor(n, (long) n * w.cols(), (worker, start, end) -> {
            for (int t = start; t < end; t++) w.decodeRow(ids[t], out, t * w.cols());
        });
    }

    public long weightRowsRead() {
        return weightRowsRead;
    }
}
