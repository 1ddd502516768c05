package dev.pagoda.engine;

import dev.pagoda.kernel.WorkerPool;
import dev.pagoda.model.ForwardBatch;

/**
 * What the engine needs from a model: one forward pass over a flat batch, reading and writing
 * K/V through the batch's block tables in a pool of {@link #numBlocks()} blocks. The real one is
 * {@link DecoderRunner}; tests use fakes to drive the scheduler without a model.
 */
public interface ModelRunner {
    int vocabSize();

    /** Most tokens one batch may hold. */
    int maxTokens();

    /** Most logit rows one batch may ask for. */
    int maxLogitRows();

    int numBlocks();

    int blockSize();

    /**
     * Copies one KV block's contents to another, in every layer: the engine calls it before
     * {@link #execute} when a sequence is about to write into a block it shares (copy-on-write).
     */
    void copyBlock(int src, int dst);

    /** Runs the batch; writes the logits of {@code batch.logitRows()} into {@code logits}, row i at i × vocabSize. */
    void execute(ForwardBatch batch, float[] logits);

    /**
     * The threads the engine may also use between forward passes (to draw the batch's tokens),
     * idle while it does; null for the engine thread alone.
     */
    default WorkerPool workers() {
        return null;
    }
}
