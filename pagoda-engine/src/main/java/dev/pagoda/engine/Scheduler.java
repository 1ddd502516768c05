package dev.pagoda.engine;

import dev.pagoda.cache.BlockCopy;
import dev.pagoda.cache.BlockManager;
import dev.pagoda.cache.BlockTable;
import dev.pagoda.cache.CachedPrefix;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Decides each step which tokens run, with vLLM V1's rules: there are no prefill and decode
 * phases, each scheduled sequence just catches its computed count up with its length. Running
 * requests go first, in admission order; then, if nobody was preempted this step, waiting
 * requests FCFS while the budgets last — at most {@code maxNumSeqs} sequences and
 * {@code maxNumBatchedTokens} tokens per step. A prompt that does not fit the token budget is cut
 * into chunks (chunked prefill). When KV blocks run out for a running request, the most recently
 * admitted request is preempted: its blocks are freed (full ones may stay prefix-cached) and it is
 * recomputed later. A request is a group of sequences, admitted and preempted as a unit.
 *
 * <p>Prompt log-probabilities need the logits of every prompt position but the last, and each
 * step's logit rows beyond the sampled ones are capped ({@code maxPromptLogitRows}, planned with
 * the logits buffer): a chunk of a request that asks for them is cut so that its prompt rows fit
 * what is left of that cap in the step (with chunked prefill; without it, the engine refuses a
 * prompt whose rows could never fit one step).
 */
final class Scheduler {
    /**
     * A run of {@code count} tokens of {@code seq} starting at position {@code start}; the logits
     * of its last token are sampled when {@code wantsLogits}, and those of the {@code promptRows}
     * prompt positions from {@code promptRowsFrom} on give prompt log-probabilities.
     */
    record Chunk(Sequence seq, int start, int count, boolean wantsLogits, int promptRowsFrom, int promptRows) {
        Chunk(Sequence seq, int start, int count, boolean wantsLogits) {
            this(seq, start, count, wantsLogits, start, 0);
        }

        /** Logit rows this chunk asks for: its prompt rows, then its sampled row. */
        int logitRows() {
            return promptRows + (wantsLogits ? 1 : 0);
        }
    }

    /** One step's work: the chunks to run, and the block copies to make before running them. */
    record Step(List<Chunk> chunks, List<BlockCopy> blockCopies) {
    }

    private final int maxNumSeqs;
    private final int maxNumBatchedTokens;
    private final int maxPromptLogitRows;
    private final boolean chunkedPrefill;
    private final BlockManager blocks;
    private final Deque<Request> waiting = new ArrayDeque<>();
    private final List<Request> running = new ArrayList<>();
    private long preemptions;

    Scheduler(int maxNumSeqs, int maxNumBatchedTokens, int maxPromptLogitRows, boolean chunkedPrefill, BlockManager blocks) {
        this.maxNumSeqs = maxNumSeqs;
        this.maxNumBatchedTokens = maxNumBatchedTokens;
        this.maxPromptLogitRows = maxPromptLogitRows;
        this.chunkedPrefill = chunkedPrefill;
        this.blocks = blocks;
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

    BlockManager blockManager() {
        return blocks;
    }

    Step schedule(double now) {
        List<Chunk> chunks = new ArrayList<>();
        List<BlockCopy> copies = new ArrayList<>();
        int budget = maxNumBatchedTokens;
        int rows = maxPromptLogitRows;
        boolean preempted = false;
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Request r = running.get(i);
            List<Sequence> seqs = r.scheduledSequences();
            List<Chunk> planned = plan(seqs, computedCounts(seqs), budget, rows);
            if (planned.isEmpty()) continue; // not break: later requests may still have work
            List<BlockCopy> ownCopies = new ArrayList<>();
            boolean preemptedItself = false;
            for (Chunk c : planned) {
                int end = c.start() + c.count();
                while (blocks.blocksToAppend(c.seq().blocks(), c.start(), end) > blocks.freeBlocks()) {
                    Request victim = running.removeLast();
                    preempt(victim);
                    preempted = true;
                    if (victim == r) {
                        preemptedItself = true;
                        break;
                    }
                }
                if (preemptedItself) break;
                blocks.append(c.seq().blocks(), c.start(), end, ownCopies);
            }
            if (preemptedItself) break; // r was the last running request
            copies.addAll(ownCopies);
            chunks.addAll(planned);
            budget -= tokens(planned);
            rows -= promptRows(planned);
        }
        // vLLM's rule. A preempted request goes back to the head of the queue and needs more blocks
        // than it freed, so admission would stop at it anyway; skipping saves its prefix lookups.
        if (!preempted) admit(now, budget, rows, chunks);
        return new Step(chunks, copies);
    }

    /** Moves waiting requests to running, FCFS, while sequences, tokens and blocks last. */
    private void admit(double now, int budget, int rows, List<Chunk> chunks) {
        int seqs = 0;
        for (Request r : running) seqs += r.unfinishedCount();
        while (!waiting.isEmpty() && budget > 0) {
            Request r = waiting.peekFirst();
            if (seqs + r.unfinishedCount() > maxNumSeqs) break;
            List<Sequence> toRun = r.scheduledSequences();
            List<CachedPrefix> prefixes = new ArrayList<>(toRun.size());
            int[] starts = new int[toRun.size()];
            for (int j = 0; j < toRun.size(); j++) {
                Sequence s = toRun.get(j);
                CachedPrefix p = r.readsPrefixCache ? blocks.findCachedPrefix(s.tokenArray(), s.length()) : CachedPrefix.NONE;
                prefixes.add(p);
                starts[j] = p.blocks().length * blocks.blockSize();
            }
            List<Chunk> planned = plan(toRun, starts, budget, rows);
            if (planned.isEmpty()) break; // the prompt does not fit the budgets and may not be cut
            int[] ends = new int[planned.size()];
            for (int j = 0; j < planned.size(); j++) ends[j] = planned.get(j).start() + planned.get(j).count();
            if (blocks.blocksToAdmit(prefixes.subList(0, planned.size()), ends) > blocks.freeBlocks()) break;
            waiting.pollFirst();
            running.add(r);
            if (Double.isNaN(r.firstScheduledTime)) r.firstScheduledTime = now;
            List<BlockTable> tables = new ArrayList<>(planned.size());
            for (Chunk c : planned) tables.add(c.seq().blocks());
            blocks.admit(tables, prefixes.subList(0, planned.size()), ends);
            for (Chunk c : planned) c.seq().setComputed(c.start());
            chunks.addAll(planned);
            budget -= tokens(planned);
            rows -= promptRows(planned);
            seqs += r.unfinishedCount();
        }
    }

    /**
     * Chunks that bring {@code seqs} (computed up to {@code starts}) up to date within the token
     * budget and the prompt-logit-row budget, in order; a sequence whose tokens do not all fit is
     * cut if chunked prefill is on, and ends the plan otherwise.
     */
    private List<Chunk> plan(List<Sequence> seqs, int[] starts, int budget, int rows) {
        List<Chunk> planned = new ArrayList<>();
        for (int j = 0; j < seqs.size(); j++) {
            Sequence s = seqs.get(j);
            int start = starts[j];
            int need = s.length() - start;
            int count = Math.min(need, budget);
            int from = start, promptRows = 0;
            Request r = s.request;
            if (r.needsPromptLogits()) {
                // Rows for positions [from, promptLength - 1) of this chunk; positions before
                // from already have theirs (a recompute after preemption skips them).
                from = Math.max(start, r.nextPromptLogitPosition());
                promptRows = Math.max(0, Math.min(start + count, s.promptLength - 1) - from);
                if (promptRows > rows) {
                    promptRows = rows;
                    count = from + rows - start;
                }
            }
            if (count <= 0 || (count < need && !chunkedPrefill)) break;
            planned.add(new Chunk(s, start, count, count == need, from, promptRows));
            budget -= count;
            rows -= promptRows;
        }
        return planned;
    }

    private static int[] computedCounts(List<Sequence> seqs) {
        int[] c = new int[seqs.size()];
        for (int j = 0; j < c.length; j++) c[j] = seqs.get(j).computed();
        return c;
    }

    /** Records a chunk's tokens as computed after the forward pass; blocks it filled become prefix-cacheable. */
    void computed(Chunk c) {
        Sequence s = c.seq();
        s.advance(c.count());
        blocks.cacheFullBlocks(s.blocks(), s.tokenArray(), s.computed());
    }

    /** Gives every child of r's first sequence that sequence's blocks and computed count. */
    void fork(Request r) {
        Sequence parent = r.sequences.getFirst();
        for (Sequence child : r.sequences.subList(1, r.sequences.size())) fork(parent, child);
        r.markForked();
    }

    /** Gives {@code child} (with no blocks) a share of every block of {@code parent}, and its computed count. */
    void fork(Sequence parent, Sequence child) {
        blocks.fork(parent.blocks(), child.blocks());
        child.setComputed(parent.computed());
    }

    private void preempt(Request r) {
        for (Sequence s : r.sequences) {
            release(s);
            s.setComputed(0);
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
        blocks.free(s.blocks());
    }

    private static int promptRows(List<Chunk> planned) {
        int n = 0;
        for (Chunk c : planned) n += c.promptRows();
        return n;
    }

    private static int tokens(List<Chunk> planned) {
        int n = 0;
        for (Chunk c : planned) n += c.count();
        return n;
    }
}
