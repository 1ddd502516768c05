package dev.pagoda.engine;

import dev.pagoda.cache.BlockAllocator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decides each step which tokens run: running requests first (decodes and unfinished prefills,
 * in arrival order), then waiting requests FCFS while the budgets last — at most
 * {@code maxNumSeqs} sequences and {@code maxNumBatchedTokens} tokens per step. A prompt that does
 * not fit the token budget is cut into chunks (chunked prefill). When KV blocks run out, the
 * most recently admitted request is preempted: its blocks are freed and it is recomputed later.
 */
final class Scheduler {
    /** A run of {@code count} tokens of {@code seq} starting at position {@code start}. */
    record Chunk(Sequence seq, int start, int count, boolean wantsLogits) {
    }

    private final int maxNumSeqs;
    private final int maxNumBatchedTokens;
    private final boolean chunkedPrefill;
    private final BlockAllocator allocator;
    private final int blockSize;
    private final Deque<Request> waiting = new ArrayDeque<>();
    private final List<Request> running = new ArrayList<>();
    private long preemptions;

    Scheduler(int maxNumSeqs, int maxNumBatchedTokens, boolean chunkedPrefill, BlockAllocator allocator, int blockSize) {
        this.maxNumSeqs = maxNumSeqs;
        this.maxNumBatchedTokens = maxNumBatchedTokens;
        this.chunkedPrefill = chunkedPrefill;
        this.allocator = allocator;
        this.blockSize = blockSize;
    }

    void add(Request r) {
        waiting.addLast(r);
    }

    boolean hasWork() {
        return !waiting.isEmpty() || !running.isEmpty();
    }

    int runningCount() {
        return running.size();
    }

    int waitingCount() {
        return waiting.size();
    }

    long preemptions() {
        return preemptions;
    }

    List<Chunk> schedule(double now) {
        List<Chunk> chunks = new ArrayList<>();
        int budget = maxNumBatchedTokens;
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Request r = running.get(i);
            List<Chunk> planned = plan(r, budget);
            while (planned != null && blocksNeeded(planned) > allocator.freeCount()) {
                Request victim = running.getLast();
                preempt(victim);
                if (victim == r) {
                    planned = null;
                    i--; // r's slot is now taken by the next request
                }
            }
            if (planned == null) continue;
            allocate(planned);
            chunks.addAll(planned);
            budget -= tokens(planned);
        }
        int seqs = 0;
        for (Request r : running) seqs += r.unfinishedCount();
        while (!waiting.isEmpty() && budget > 0) {
            Request r = waiting.peekFirst();
            if (seqs + r.unfinishedCount() > maxNumSeqs) break;
            List<Chunk> planned = plan(r, budget);
            if (planned == null || blocksNeeded(planned) > allocator.freeCount()) break;
            waiting.pollFirst();
            running.add(r);
            if (Double.isNaN(r.firstScheduledTime)) r.firstScheduledTime = now;
            allocate(planned);
            chunks.addAll(planned);
            budget -= tokens(planned);
            seqs += r.unfinishedCount();
        }
        return chunks;
    }

    /** The chunks that bring r's sequences up to date within the budget, or null if none fits. */
    private List<Chunk> plan(Request r, int budget) {
        List<Chunk> planned = new ArrayList<>();
        for (Sequence s : r.sequences) {
            if (s.finished()) continue;
            int need = s.length() - s.computed();
            int count = Math.min(need, budget);
            if (count <= 0 || (count < need && !chunkedPrefill)) break;
            planned.add(new Chunk(s, s.computed(), count, count == need));
            budget -= count;
        }
        return planned.isEmpty() ? null : planned;
    }

    private int blocksNeeded(List<Chunk> planned) {
        int n = 0;
        for (Chunk c : planned) n += Math.max(0, ceilDiv(c.start() + c.count(), blockSize) - c.seq().blocks().size());
        return n;
    }

    private void allocate(List<Chunk> planned) {
        for (Chunk c : planned) {
            IntList blocks = c.seq().blocks();
            while (blocks.size() * blockSize < c.start() + c.count()) blocks.add(allocator.allocate());
        }
    }

    private void preempt(Request r) {
        running.remove(r);
        for (Sequence s : r.sequences) {
            release(s);
            s.resetComputed();
        }
        waiting.addFirst(r);
        preemptions++;
    }

    /** Removes a finished or aborted request and frees its blocks. */
    void remove(Request r) {
        running.remove(r);
        waiting.remove(r);
        for (Sequence s : r.sequences) release(s);
    }

    /** Frees a sequence's blocks as soon as it finishes, even while its siblings run on. */
    void release(Sequence s) {
        IntList blocks = s.blocks();
        for (int i = 0; i < blocks.size(); i++) allocator.release(blocks.get(i));
        blocks.clear();
    }

    private static int tokens(List<Chunk> planned) {
        int n = 0;
        for (Chunk c : planned) n += c.count();
        return n;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
