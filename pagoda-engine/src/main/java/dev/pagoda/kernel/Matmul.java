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
    private final SwiGluTask swiGluTask;
    private final GatherTask gatherTask = new GatherTask();
    /** Weight rows read by {@link #multiply} so far: the structural check that weights are read once per step. */
    private long weightRowsRead;

    public Matmul(WorkerPool pool) {
        this.pool = pool;
        float[][] lanes = new float[pool.size()][WeightMatrix.LANES_SCRATCH];
        this.multiplyTask = new MultiplyTask(lanes);
        this.swiGluTask = new SwiGluTask(lanes, new float[pool.size()][VectorMath.SILU_SCRATCH]);
    }

    /**
     * @param x   m rows of {@code w.cols()} values, row t starting at {@code t * xStride}
     * @param out m rows of {@code w.rows()} values, row t starting at {@code t * outStride}
     */
    public void multiply(WeightMatrix w, float[] x, int xStride, int m, float[] out, int outStride) {
        multiply(w, out, outStride, null, null, 0, null, null, 0, x, xStride, m);
    }

    /**
     * Up to three products of the same activations in one parallel loop (q, k and v): one
     * hand-off to the workers instead of three, and the workers split the matrices' rows
     * together. Each output element is computed exactly as by {@link #multiply}. Unused slots
     * are null.
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

    /**
     * The SwiGLU activation of m activation rows: gateOut = silu(x · Gᵀ) · (x · Uᵀ), with x · Uᵀ
     * left in upOut. A worker takes the same rows of both matrices and applies the activation to
     * them as soon as they are computed, while they are in its cache: no separate pass, and no
     * second hand-off to the workers. Each element is computed exactly as by {@link #multiply}
     * and {@link VectorMath#siluMul} (whose vector and scalar paths give the same bits).
     */
    public void multiplySwiGlu(WeightMatrix gate, WeightMatrix up, float[] gateOut, float[] upOut, int outStride,
                               float[] x, int xStride, int m) {
        if (gate.rows() != up.rows() || gate.cols() != up.cols()) {
            throw new IllegalArgumentException("gate " + gate.rows() + "×" + gate.cols() + " and up " + up.rows() + "×" + up.cols() + " differ");
        }
        SwiGluTask t = swiGluTask;
        t.gate = gate;
        t.up = up;
        t.gateOut = gateOut;
        t.upOut = upOut;
        t.outStride = outStride;
        t.x = x;
        t.xStride = xStride;
        t.m = m;
        // Either format's blocks must start whole: the larger grain is a multiple of the other (8 or 4·L rows).
        t.grain = Math.max(gate.rowGrain(), up.rowGrain());
        weightRowsRead += 2L * gate.rows();
        pool.parallelForBalanced((gate.rows() + t.grain - 1) / t.grain, 2L * gate.rows() * gate.cols() * m, t);
        t.gate = null;
        t.up = null;
        t.gateOut = null;
        t.upOut = null;
        t.x = null;
    }

    /** Rows [r0, r1) of x · wᵀ for m activation rows, a token tile at a time (see the class comment). */
    private static void multiplyRows(WeightMatrix w, int r0, int r1, float[] x, int xStride, int m, float[] out, int outStride,
                                     float[] lanes) {
        int tile = tokenTile(w);
        for (int t0 = 0; t0 < m; t0 += tile) w.multiply(r0, r1, x, xStride, t0, Math.min(m, t0 + tile), out, outStride, lanes);
    }

    /** Activation rows per token tile for {@code w}'s row length: about {@link #TILE_BYTES}, a multiple of 4. */
    private static int tokenTile(WeightMatrix w) {
        return Math.max(4, TILE_BYTES / (4 * w.cols()) & ~3);
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
                multiplyRows(matrix, r0, r1, x, xStride, m, out[i], outStride[i], lanes[worker]);
            }
        }
    }

    /** Row blocks of the gate and up matrices together: a worker computes both for its rows, then the activation. */
    private static final class SwiGluTask implements WorkerPool.RangeTask {
        WeightMatrix gate, up;
        float[] gateOut, upOut, x;
        int outStride, xStride, m, grain;
        /** Per worker: the kernels' lane scratch and the activation's. */
        final float[][] lanes, silu;

        SwiGluTask(float[][] lanes, float[][] silu) {
            this.lanes = lanes;
            this.silu = silu;
        }

        @Override
        public void run(int worker, int startBlock, int endBlock) {
            int r0 = grain * startBlock, r1 = Math.min(gate.rows(), grain * endBlock);
            int tile = tokenTile(gate);
            for (int t0 = 0; t0 < m; t0 += tile) {
                int t1 = Math.min(m, t0 + tile);
                gate.multiply(r0, r1, x, xStride, t0, t1, gateOut, outStride, lanes[worker]);
                up.multiply(r0, r1, x, xStride, t0, t1, upOut, outStride, lanes[worker]);
                for (int t = t0; t < t1; t++) VectorMath.siluMul(gateOut, upOut, t * outStride + r0, r1 - r0, silu[worker]);
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
