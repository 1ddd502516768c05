package dev.pagoda.kernel;

/**
 * out = x · Wᵀ for a batch of m activation rows: out[t][r] = dot(W[r], x[t]).
 *
 * <p>Workers split the weight rows (in blocks of 4, the kernels' height); each reads its rows once
 * per tile of tokens. A tile holds as many activation rows as fit in about half the L2 cache, so
 * the kernels stream x from L2 while the weights come from memory once per tile. Each output
 * element has the one reduction order of {@link WeightMatrix}, so the result for a token does
 * not depend on m, the tiling or the thread count (batch invariance).
 *
 * <p>The loop bodies are preallocated tasks whose fields are set per call: nothing is allocated
 * per token.
 */
public final class Matmul {
    /** Activation bytes per token tile: half of a 1 MiB L2, leaving room for the weight rows in flight. */
    private static final int TILE_BYTES = 512 * 1024;

    private final WorkerPool pool;
    private final MultiplyTask multiplyTask;
    private final GatherTask gatherTask = new GatherTask();
    /** Weight rows read by {@link #multiply} so far: the structural check that weights are read once per step. */
    private long weightRowsRead;

    public Matmul(WorkerPool pool) {
        this.pool = pool;
        this.multiplyTask = new MultiplyTask(new float[pool.size()][WeightMatrix.LANES_SCRATCH]);
    }

    /**
     * @param x   m rows of {@code w.cols()} values, row t starting at {@code t * xStride}
     * @param out m rows of {@code w.rows()} values, row t starting at {@code t * outStride}
     */
    public void multiply(WeightMatrix w, float[] x, int xStride, int m, float[] out, int outStride) {
        weightRowsRead += w.rows();
        MultiplyTask t = multiplyTask;
        t.w = w;
        t.x = x;
        t.xStride = xStride;
        t.m = m;
        t.out = out;
        t.outStride = outStride;
        t.tile = Math.max(4, TILE_BYTES / (4 * w.cols()) & ~3);
        pool.parallelFor((w.rows() + 3) / 4, (long) w.rows() * w.cols() * m, t);
        t.w = null;
        t.x = t.out = null;
    }

    /** Gathers rows of {@code w} (an embedding table) for the given ids into out, row t at t * w.cols(). */
    public void gatherRows(WeightMatrix w, int[] ids, int n, float[] out) {
        GatherTask t = gatherTask;
        t.w = w;
        t.ids = ids;
        t.out = out;
        pool.parallelFor(n, (long) n * w.cols(), t);
        t.w = null;
        t.ids = null;
        t.out = null;
    }

    public long weightRowsRead() {
        return weightRowsRead;
    }

    private static final class MultiplyTask implements WorkerPool.RangeTask {
        WeightMatrix w;
        float[] x, out;
        int xStride, m, outStride, tile;
        /** Per worker: the kernels' lane scratch. */
        final float[][] lanes;

        MultiplyTask(float[][] lanes) {
            this.lanes = lanes;
        }

        @Override
        public void run(int worker, int startBlock, int endBlock) {
            int r0 = 4 * startBlock, r1 = Math.min(w.rows(), 4 * endBlock);
            for (int t0 = 0; t0 < m; t0 += tile) w.multiply(r0, r1, x, xStride, t0, Math.min(m, t0 + tile), out, outStride, lanes[worker]);
        }
    }

    private static final class GatherTask implements WorkerPool.RangeTask {
        WeightMatrix w;
        int[] ids;
        float[] out;

        @Override
        public void run(int worker, int start, int end) {
            for (int t = start; t < end; t++) w.decodeRow(ids[t], out, t * w.cols());
        }
    }
}
