package dev.pagoda.kernel;

/**
 * out = x · Wᵀ for a batch of m activation rows: out[t][r] = dot(W[r], x[t]).
 *
 * <p>Workers claim the weight rows in blocks of the format's {@link WeightMatrix#rowGrain()} as
 * they go ({@link WorkerPool#parallelForBalanced}): long first shares, then shrinking ones down to single blocks,
 * so a worker slowed down for a while does fewer rows. Each reads its rows once per tile of
 * tokens. A tile holds as many activation rows as fit in about half the L2 cache, so the kernels
 * stream x from L2 while the weights come from memory once per tile. Each output
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
        multiply(w, out, outStride, null, null, 0, null, null, 0, x, xStride, m);
    }

    /**
     * Up to three products of the same activations in one parallel loop (q, k and v; gate and
     * up): one hand-off to the workers instead of three, and the workers split the matrices'
     * rows together. Each output element is computed exactly as by {@link #multiply}.
     * Unused slots are null.
     */
    public void multiply(WeightMatrix w0, float[] out0, int outStride0, WeightMatrix w1, float[] out1, int outStride1,
                         WeightMatrix w2, float[] out2, int outStride2, float[] x, int xStride, int m) {
        MultiplyTask t = multiplyTask;
        t.set(0, w0, out0, outStride0);
        t.set(1, w1, out1, outStride1);
        t.set(2, w2, out2, outStride2);
        t.x = x;
        t.xStride = xStride;
        t.m = m;
        long work = 0;
        for (int i = 0; i < 3; i++) {
            if (t.w[i] == null) continue;
            weightRowsRead += t.w[i].rows();
            work += (long) t.w[i].rows() * t.w[i].cols() * m;
        }
        pool.parallelForBalanced(t.blockEnd[2], work, t);
        t.clear();
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

    /** Row blocks of up to three matrices, numbered one after the other; workers take ranges of them. */
    private static final class MultiplyTask implements WorkerPool.RangeTask {
        final WeightMatrix[] w = new WeightMatrix[3];
        final float[][] out = new float[3][];
        final int[] outStride = new int[3];
        /** Block numbers [blockEnd[i-1], blockEnd[i]) are matrix i's rows in blocks of its {@link WeightMatrix#rowGrain()}. */
        final int[] blockEnd = new int[3];
        float[] x;
        int xStride, m;
        /** Per worker: the kernels' lane scratch. */
        final float[][] lanes;

        MultiplyTask(float[][] lanes) {
            this.lanes = lanes;
        }

        void set(int i, WeightMatrix matrix, float[] o, int stride) {
            w[i] = matrix;
            out[i] = o;
            outStride[i] = stride;
            blockEnd[i] = (i == 0 ? 0 : blockEnd[i - 1]) + (matrix == null ? 0 : (matrix.rows() + matrix.rowGrain() - 1) / matrix.rowGrain());
        }

        void clear() {
            java.util.Arrays.fill(w, null);
            java.util.Arrays.fill(out, null);
            x = null;
        }

        @Override
        public void run(int worker, int startBlock, int endBlock) {
            for (int i = 0; i < 3; i++) {
                int first = i == 0 ? 0 : blockEnd[i - 1];
                int s = Math.max(startBlock, first), e = Math.min(endBlock, blockEnd[i]);
                if (s >= e) continue;
                WeightMatrix matrix = w[i];
                int grain = matrix.rowGrain();
                int r0 = grain * (s - first), r1 = Math.min(matrix.rows(), grain * (e - first));
                int tile = Math.max(4, TILE_BYTES / (4 * matrix.cols()) & ~3);
                for (int t0 = 0; t0 < m; t0 += tile) {
                    matrix.multiply(r0, r1, x, xStride, t0, Math.min(m, t0 + tile), out[i], outStride[i], lanes[worker]);
                }
            }
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
