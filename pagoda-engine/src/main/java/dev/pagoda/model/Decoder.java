package dev.pagoda.model;

import dev.pagoda.cache.KvCache;
import dev.pagoda.config.ModelConfig;
import dev.pagoda.config.RopeLayout;
import dev.pagoda.kernel.Matmul;
import dev.pagoda.kernel.VectorMath;
import dev.pagoda.kernel.WorkerPool;

/**
 * The decoder-only transformer shared by every supported architecture:
 * embeddings → [RMSNorm → attention over the paged KV cache → RMSNorm → SwiGLU MLP] × L →
 * RMSNorm → LM head, for a flat batch of tokens. Buffers are allocated once, for at most
 * {@code maxTokens} tokens and {@code maxLogitRows} logit rows per call.
 */
public final class Decoder {
    private final ModelConfig c;
    private final ModelWeights w;
    private final Matmul matmul;
    private final WorkerPool pool;
    private final int maxTokens;
    private final int maxLogitRows;
    private final double[] invFreq;

    // Activations, one row per batch token.
    private final float[] x, xn, q, k, v, attn, gate, up;
    private final float[] lastHidden;
    // Per-worker attention scratch.
    private final float[][] scores, acc;
    private final float[][] cos, sin;
    private final NormTask normTask = new NormTask();
    private final AttentionTask attentionTask = new AttentionTask();

    public Decoder(ModelConfig config, ModelWeights weights, WorkerPool pool, int maxTokens, int maxLogitRows, int blockSize) {
        this.c = config;
        this.w = weights;
        this.pool = pool;
        this.maxTokens = maxTokens;
        this.maxLogitRows = maxLogitRows;
        this.matmul = new Matmul(pool);
        int h = c.hiddenSize();
        this.x = new float[maxTokens * h];
        this.xn = new float[maxTokens * h];
        this.q = new float[maxTokens * c.qDim()];
        this.k = new float[maxTokens * c.kvDim()];
        this.v = new float[maxTokens * c.kvDim()];
        this.attn = new float[maxTokens * c.qDim()];
        this.gate = new float[maxTokens * c.intermediateSize()];
        this.up = new float[maxTokens * c.intermediateSize()];
        this.lastHidden = new float[maxLogitRows * h];
        this.scores = new float[pool.size()][blockSize];
        this.acc = new float[pool.size()][c.headDim()];
        this.cos = new float[maxTokens][c.headDim() / 2];
        this.sin = new float[maxTokens][c.headDim() / 2];
        this.invFreq = new double[c.headDim() / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = c.ropeInvFreq(i);
    }

    public ModelConfig config() {
        return c;
    }

    /** The threads the forward pass runs on. */
    public WorkerPool pool() {
        return pool;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int maxLogitRows() {
        return maxLogitRows;
    }

    /** Weight-matrix rows read by all forward passes so far (embedding lookups excluded). */
    public long weightRowsRead() {
        return matmul.weightRowsRead();
    }

    /**
     * Runs the batch, writing its K/V into {@code cache}, and stores the logits of
     * {@code batch.logitRows()} into {@code logits} (row i at {@code i * vocabSize}).
     */
    public void forward(ForwardBatch batch, KvCache cache, float[] logits) {
        int n = batch.numTokens();
        if (n > maxTokens || batch.logitRows().length > maxLogitRows) {
            throw new IllegalArgumentException("batch of " + n + " tokens / " + batch.logitRows().length
                    + " logit rows exceeds the planned " + maxTokens + " / " + maxLogitRows);
        }
        int h = c.hiddenSize();
        matmul.gatherRows(w.embedding(), batch.tokenIds(), n, x);
        ropeTables(batch.positions(), n);
        for (int l = 0; l < c.numLayers(); l++) {
            ModelWeights.Layer layer = w.layer(l);
            rmsNormRows(x, xn, layer.attnNorm(), n, h);
            matmul.multiply(layer.wq(), q, c.qDim(), layer.wk(), k, c.kvDim(), layer.wv(), v, c.kvDim(), xn, h, n);
            if (layer.bq() != null) {
                for (int t = 0; t < n; t++) {
                    VectorMath.addBias(q, t * c.qDim(), layer.bq(), c.qDim());
                    VectorMath.addBias(k, t * c.kvDim(), layer.bk(), c.kvDim());
                    VectorMath.addBias(v, t * c.kvDim(), layer.bv(), c.kvDim());
                }
            }
            if (layer.qNorm() != null) {
                headNorm(q, layer.qNorm(), n * c.numHeads());
                headNorm(k, layer.kNorm(), n * c.numKvHeads());
            }
            rope(q, n, c.numHeads());
            rope(k, n, c.numKvHeads());
            storeKv(batch, cache, l);
            attention(batch, cache, l);
            matmul.multiply(layer.wo(), attn, c.qDim(), n, xn, h);
            for (int t = 0; t < n; t++) VectorMath.addInPlace(x, t * h, xn, t * h, h);

            rmsNormRows(x, xn, layer.ffnNorm(), n, h);
            int ff = c.intermediateSize();
            matmul.multiplySwiGlu(layer.gate(), layer.up(), gate, up, ff, xn, h, n);
            matmul.multiply(layer.down(), gate, ff, n, xn, h);
            for (int t = 0; t < n; t++) VectorMath.addInPlace(x, t * h, xn, t * h, h);
        }
        int[] rows = batch.logitRows();
        for (int i = 0; i < rows.length; i++) {
            VectorMath.rmsNorm(lastHidden, i * h, x, rows[i] * h, w.finalNorm(), h, c.rmsNormEps());
        }
        matmul.multiply(w.lmHead(), lastHidden, h, rows.length, logits, c.vocabSize());
    }

    private void rmsNormRows(float[] in, float[] out, float[] weight, int n, int h) {
        normTask.in = in;
        normTask.out = out;
        normTask.weight = weight;
        pool.parallelFor(n, (long) n * h, normTask);
    }

    /** RMSNorm of activation rows [start, end); fields set per call (no allocation per token). */
    private final class NormTask implements WorkerPool.RangeTask {
        float[] in, out, weight;

        @Override
        public void run(int worker, int start, int end) {
            int h = c.hiddenSize();
            for (int t = start; t < end; t++) VectorMath.rmsNorm(out, t * h, in, t * h, weight, h, c.rmsNormEps());
        }
    }

    /** RMSNorm over each head's values in place (Qwen3's q_norm / k_norm). */
    private void headNorm(float[] buf, float[] weight, int heads) {
        int hd = c.headDim();
        for (int i = 0; i < heads; i++) VectorMath.rmsNorm(buf, i * hd, buf, i * hd, weight, hd, c.rmsNormEps());
    }

    private void ropeTables(int[] positions, int n) {
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < invFreq.length; i++) {
                double angle = positions[t] * invFreq[i];
                cos[t][i] = (float) Math.cos(angle);
                sin[t][i] = (float) Math.sin(angle);
            }
        }
    }

    private void rope(float[] buf, int n, int heads) {
        int hd = c.headDim();
        int half = hd / 2;
        boolean adjacent = c.ropeLayout() == RopeLayout.ADJACENT;
        for (int t = 0; t < n; t++) {
            float[] ct = cos[t], st = sin[t];
            for (int head = 0; head < heads; head++) {
                int base = (t * heads + head) * hd;
                if (!adjacent) {
                    VectorMath.ropeHalves(buf, base, half, ct, st);
                    continue;
                }
                for (int i = 0; i < half; i++) {
                    int a = base + 2 * i, b = a + 1;
                    float x0 = buf[a], x1 = buf[b];
                    buf[a] = x0 * ct[i] - x1 * st[i];
                    buf[b] = x0 * st[i] + x1 * ct[i];
                }
            }
        }
    }

    private void storeKv(ForwardBatch batch, KvCache cache, int layer) {
        int kvDim = c.kvDim();
        for (int t = 0; t < batch.numTokens(); t++) {
            cache.store(layer, batch.blockTables()[batch.seqOfToken()[t]], batch.positions()[t], k, t * kvDim, v, t * kvDim);
        }
    }

    /**
     * Causal attention of every batch token over its sequence's positions 0..p, walking the KV
     * blocks in position order with an online softmax rescaled once per block. The walk depends
     * only on p and the block size, so a token's output is the same in prefill, chunked prefill
     * or decode, whatever else is in the batch.
     */
    private void attention(ForwardBatch batch, KvCache cache, int layer) {
        int heads = c.numHeads(), hd = c.headDim();
        long work = 0;
        for (int t = 0; t < batch.numTokens(); t++) work += (long) (batch.positions()[t] + 1) * heads * hd * 2;
        attentionTask.batch = batch;
        attentionTask.cache = cache;
        attentionTask.layer = layer;
        pool.parallelForBalanced(batch.numTokens() * heads, work, attentionTask);
        attentionTask.batch = null;
        attentionTask.cache = null;
    }

    /**
     * One (head, token) item per index, head-major: in a causal prefill later tokens cost more,
     * so splitting token-major ranges would leave the worker with the first tokens idle early.
     */
    private final class AttentionTask implements WorkerPool.RangeTask {
        ForwardBatch batch;
        KvCache cache;
        int layer;

        @Override
        public void run(int worker, int start, int end) {
            int n = batch.numTokens();
            int heads = c.numHeads(), hd = c.headDim(), group = heads / c.numKvHeads();
            int bs = cache.blockSize();
            float scale = (float) (1.0 / Math.sqrt(hd));
            float[] s = scores[worker], a = acc[worker];
            for (int item = start; item < end; item++) {
                int head = item / n, t = item % n;
                int[] table = batch.blockTables()[batch.seqOfToken()[t]];
                int len = batch.positions()[t] + 1;
                int qOff = (t * heads + head) * hd;
                int kvHead = head / group;
                float max = Float.NEGATIVE_INFINITY, sum = 0;
                java.util.Arrays.fill(a, 0f);
                for (int blockStart = 0; blockStart < len; blockStart += bs) {
                    int count = Math.min(bs, len - blockStart), block = table[blockStart / bs];
                    float blockMax = cache.scores(layer, block, kvHead, q, qOff, count, scale, s);
                    float newMax = Math.max(max, blockMax);
                    float correction = VectorMath.exp(max - newMax);
                    sum *= correction;
                    VectorMath.scale(a, 0, hd, correction);
                    VectorMath.expShifted(s, 0, count, newMax);
                    for (int j = 0; j < count; j++) sum += s[j];
                    cache.accumulate(layer, block, kvHead, count, s, a);
                    max = newMax;
                }
                float inv = 1f / sum;
                for (int i = 0; i < hd; i++) attn[qOff + i] = a[i] * inv;
            }
        }
    }
}
