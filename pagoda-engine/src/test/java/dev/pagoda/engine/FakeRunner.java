package dev.pagoda.engine;

import dev.pagoda.kernel.WorkerPool;
import dev.pagoda.model.ForwardBatch;

import java.util.HashSet;
import java.util.Set;

/**
 * A model runner without a model. Like a real model's K/V, the value its "KV cache" stores for a
 * position depends on the whole prefix: a hash of the previous position's value (read back
 * through the sequence's block table) and the position's token. The logits of a position are
 * derived from its value, so any block-table, copy-on-write or prefix-cache mistake changes the
 * output. It also checks each batch against the step budgets and that no slot is written twice
 * in one step.
 */
final class FakeRunner implements ModelRunner {
    final int vocab;
    final int numBlocks;
    final int blockSize;
    final int maxTokens;
    final int maxSeqs;
    final int maxModelLen;
    private static final long UNWRITTEN = 0;
    private static final long ROOT = 0x243F6A8885A308D3L;
    private final long[] slots;
    long tokensRun;
    /** What {@link #workers()} offers the engine (null: none). */
    WorkerPool workers;

    FakeRunner(int vocab, int numBlocks, int blockSize, int maxTokens, int maxSeqs, int maxModelLen) {
        this.vocab = vocab;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.maxTokens = maxTokens;
        this.maxSeqs = maxSeqs;
        this.maxModelLen = maxModelLen;
        this.slots = new long[numBlocks * blockSize];
    }

    public int vocabSize() { return vocab; }
    public int maxTokens() { return maxTokens; }
    public int maxLogitRows() { return maxSeqs; }
    public int numBlocks() { return numBlocks; }
    public int blockSize() { return blockSize; }
    public WorkerPool workers() { return workers; }

    public void copyBlock(int src, int dst) {
        System.arraycopy(slots, src * blockSize, slots, dst * blockSize, blockSize);
    }

    public void execute(ForwardBatch batch, float[] logits) {
        check(batch.numTokens() <= maxTokens, "batch of " + batch.numTokens() + " tokens exceeds " + maxTokens);
        check(batch.blockTables().length <= maxSeqs, batch.blockTables().length + " sequences exceed " + maxSeqs);
        check(batch.logitRows().length <= maxSeqs, "too many logit rows");
        Set<Integer> written = new HashSet<>();
        for (int t = 0; t < batch.numTokens(); t++) {
            check(batch.positions()[t] < maxModelLen, "position " + batch.positions()[t] + " beyond max-model-len");
            int[] table = batch.blockTables()[batch.seqOfToken()[t]];
            int p = batch.positions()[t];
            int slot = slot(table, p);
            check(written.add(slot), "slot " + slot + " written twice in one step");
            // A sequence's tokens are in position order in the batch, so position p - 1 is already written.
            slots[slot] = next(p == 0 ? ROOT : read(table, p - 1), batch.tokenIds()[t]);
        }
        tokensRun += batch.numTokens();
        for (int row = 0; row < batch.logitRows().length; row++) {
            int t = batch.logitRows()[row];
            long value = read(batch.blockTables()[batch.seqOfToken()[t]], batch.positions()[t]);
            for (int j = 0; j < vocab; j++) logits[row * vocab + j] = (mix(value + j) >>> 40) / (float) (1 << 24) * 8;
        }
    }

    private long read(int[] table, int position) {
        long v = slots[slot(table, position)];
        check(v != UNWRITTEN, "position " + position + " read before it was written");
        return v;
    }

    private static long next(long previous, int token) {
        long v = mix(previous ^ (token + 1L) * 0x9E3779B97F4A7C15L);
        return v == UNWRITTEN ? 1 : v;
    }

    private int slot(int[] table, int position) {
        int block = table[position / blockSize];
        check(block >= 0 && block < numBlocks, "block " + block + " outside the pool");
        return block * blockSize + position % blockSize;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new AssertionError(message);
    }
}
