package dev.pagoda.engine;

import dev.pagoda.PagodaException;
import dev.pagoda.cache.BlockCopy;
import dev.pagoda.cache.BlockManager;
import dev.pagoda.config.GenerationConfig;
import dev.pagoda.kernel.VectorMath;
import dev.pagoda.kernel.WorkerPool;
import dev.pagoda.model.ForwardBatch;
import dev.pagoda.sampling.InvalidParameterException;
import dev.pagoda.sampling.LogProbs;
import dev.pagoda.sampling.LogitsProcessors;
import dev.pagoda.sampling.guided.CompiledGrammar;
import dev.pagoda.sampling.guided.GrammarCompiler;
import dev.pagoda.sampling.guided.GuidedSpec;
import dev.pagoda.sampling.Sampler;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine core: accepts requests, and on each {@link #step()} schedules a batch, runs one
 * forward pass over every scheduled token, samples, and reports finished requests. Not
 * thread-safe: one thread owns it (the scheduler and the KV cache are its state).
 */
public final class LLMEngine {
    private final ModelRunner runner;
    private final Tokenizer tokenizer;
    private final GenerationConfig generationConfig;
    private final Set<Integer> eosTokenIds;
    private final int maxModelLen;
    private final int maxNumSeqs;
    /** Logit rows per step for prompt log-probabilities: the runner's rows beyond one per sequence. */
    private final int maxPromptLogitRows;
    private final boolean chunkedPrefill;
    private final Scheduler scheduler;
    private final BlockManager blocks;
    /** The engine's threads (null: the engine thread alone) and one sampler per thread, the engine thread's first. */
    private final WorkerPool workers;
    private final Sampler[] samplers;
    private final ParallelDraws draws;
    private final Map<String, Request> requests = new HashMap<>();
    private final float[] logits;
    /** Per thread, a copy of one logits row for the logits processors to change (the raw row stays for log-probabilities). */
    private final float[][] processed;
    private final int vocab;
    private long steps;
    private int lastStepTokens;
    private long forwardNanos;
    /** Built lazily by the first request with a structured-output constraint. */
    private GrammarCompiler grammarCompiler;
    private int lastStepSequences;

    /** An engine with prefix caching on (vLLM's default). */
    public LLMEngine(ModelRunner runner, Tokenizer tokenizer, GenerationConfig generationConfig,
                     int maxModelLen, int maxNumSeqs, int maxNumBatchedTokens, boolean chunkedPrefill) {
        this(runner, tokenizer, generationConfig, maxModelLen, maxNumSeqs, maxNumBatchedTokens, chunkedPrefill, true);
    }

    /** @param tokenizer null for an engine that works on token ids only (outputs carry no text) */
    public LLMEngine(ModelRunner runner, Tokenizer tokenizer, GenerationConfig generationConfig, int maxModelLen,
                     int maxNumSeqs, int maxNumBatchedTokens, boolean chunkedPrefill, boolean prefixCaching) {
        this.runner = runner;
        this.tokenizer = tokenizer;
        this.generationConfig = generationConfig;
        this.maxModelLen = maxModelLen;
        this.vocab = runner.vocabSize();
        Set<Integer> eos = new HashSet<>(generationConfig.eosTokenIds());
        if (tokenizer != null) eos.addAll(tokenizer.eosTokenIds());
        this.eosTokenIds = Set.copyOf(eos);
        this.blocks = new BlockManager(runner.numBlocks(), runner.blockSize(), prefixCaching);
        this.maxNumSeqs = maxNumSeqs;
        this.chunkedPrefill = chunkedPrefill;
        this.maxPromptLogitRows = Math.max(0, runner.maxLogitRows() - maxNumSeqs);
        this.scheduler = new Scheduler(maxNumSeqs, Math.min(maxNumBatchedTokens, runner.maxTokens()), maxPromptLogitRows,
                chunkedPrefill, blocks);
        this.workers = runner.workers();
        this.samplers = new Sampler[workers == null ? 1 : workers.size()];
        for (int i = 0; i < samplers.length; i++) samplers[i] = new Sampler(vocab);
        this.draws = new ParallelDraws(runner.maxLogitRows()); // at most one sampled row per logit row
        this.processed = new float[samplers.length][vocab];
        this.logits = new float[runner.maxLogitRows() * vocab];
    }

    /** Validates and queues a request; unset sampling fields take the model's defaults. */
    public void addRequest(String requestId, String prompt, int[] promptTokenIds, SamplingParams params) {
        addRequest(requestId, prompt, promptTokenIds, params, false);
    }

    /**
     * As {@link #addRequest(String, String, int[], SamplingParams)}; {@code skipReadingPrefixCache}
     * computes every prompt position even when cached blocks hold them (vLLM's
     * {@code skip_reading_prefix_cache}). A request for prompt log-probabilities always skips it,
     * since it needs the logits of every prompt position.
     */
    public void addRequest(String requestId, String prompt, int[] promptTokenIds, SamplingParams params,
                           boolean skipReadingPrefixCache) {
        if (requests.containsKey(requestId)) throw new IllegalArgumentException("request id '" + requestId + "' is already in use");
        SamplingParams resolved = validate(promptTokenIds, params);
        int[] ids = resolved.truncatePrompt(promptTokenIds, maxModelLen);
        Request r = new Request(requestId, prompt, ids, resolved, LogitsProcessors.of(resolved, eosTokenIds, tokenizer, vocab),
                now(), tokenizer, !skipReadingPrefixCache && resolved.promptLogprobs() == null, grammar(resolved));
        requests.put(requestId, r);
        scheduler.add(r);
    }

    /**
     * Checks a request against the model without touching engine state (safe from any thread);
     * returns its sampling parameters with defaults filled in.
     */
    public SamplingParams validate(int[] promptTokenIds, SamplingParams params) {
        SamplingParams resolved = params.withDefaults(generationConfig);
        promptTokenIds = resolved.truncatePrompt(promptTokenIds, maxModelLen);
        if (promptTokenIds.length == 0) throw new IllegalArgumentException("the prompt is empty: it must have at least one token");
        if (promptTokenIds.length >= maxModelLen) {
            throw new IllegalArgumentException("the prompt has " + promptTokenIds.length + " tokens, but the model's context length is only "
                    + maxModelLen + " tokens, leaving no room for output (--max-model-len " + maxModelLen + ")");
        }
        for (int id : promptTokenIds) {
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("prompt token id " + id + " is out of range [0, " + vocab + ")");
        }
        LogitsProcessors.of(resolved, eosTokenIds, tokenizer, vocab); // checks token ids against the vocabulary
        checkPromptLogprobs(resolved, promptTokenIds.length);
        grammar(resolved); // compiles (and caches) a structured-output constraint here, on the caller's thread
        if (resolved.width() > maxNumSeqs) {
            String field = resolved.bestOf() != null ? "best_of" : "n";
            throw new InvalidParameterException(field, field + " is " + resolved.width() + ", but at most --max-num-seqs " + maxNumSeqs
                    + " sequences can run at once");
        }
        // After a preemption each sequence of the group is recomputed on its own, so the group
        // must fit the pool without sharing, or it could never be scheduled again.
        long tokens = Math.min((long) promptTokenIds.length + resolved.maxTokens(), maxModelLen);
        long needed = resolved.width() * ((tokens + blocks.blockSize() - 1) / blocks.blockSize());
        if (needed > blocks.totalBlocks()) {
            throw new IllegalArgumentException("the request needs up to " + needed + " KV blocks (" + resolved.width() + " sequences of up to "
                    + tokens + " tokens), but the KV cache has only " + blocks.totalBlocks() + " blocks of " + blocks.blockSize()
                    + " tokens; lower n or max_tokens, or give the KV cache more memory");
        }
        return resolved;
    }

    /**
     * Prompt log-probabilities need logit rows beyond the sampled ones; without chunked prefill
     * a prompt's rows must all fit one step.
     */
    private void checkPromptLogprobs(SamplingParams p, int promptLength) {
        Integer k = p.promptLogprobs();
        if (k == null) return;
        if (k > vocab) {
            throw new InvalidParameterException("prompt_logprobs", "Requested prompt logprobs of " + k
                    + ", which is greater than the vocabulary size " + vocab);
        }
        if (maxPromptLogitRows == 0) {
            throw new InvalidParameterException("prompt_logprobs", "prompt_logprobs needs logit rows for the prompt positions, and this "
                    + "engine plans none (--max-prompt-logprobs-rows 0)");
        }
        if (!chunkedPrefill && promptLength - 1 > maxPromptLogitRows) {
            throw new InvalidParameterException("prompt_logprobs", "prompt_logprobs for a prompt of " + promptLength + " tokens needs "
                    + (promptLength - 1) + " logit rows in one step, but at most " + maxPromptLogitRows
                    + " are planned (--max-prompt-logprobs-rows) and chunked prefill is disabled");
        }
    }

    /**
     * The compiled constraint of {@code p}, or null. The compiler (a trie over the vocabulary) is
     * built on the first constrained request, so unconstrained engines never pay for it; compiled
     * grammars are cached by constraint.
     */
    private CompiledGrammar grammar(SamplingParams p) {
        return p.guided() == null ? null : compileConstraint(p.guided());
    }

    /**
     * Compiles a structured-output constraint (cached), from any thread; a constraint that cannot
     * be compiled is a {@link dev.pagoda.sampling.guided.GrammarException} naming the problem.
     */
    public CompiledGrammar compileConstraint(GuidedSpec spec) {
        if (tokenizer == null) throw new InvalidParameterException("guided_json", "structured output needs a tokenizer");
        GrammarCompiler compiler;
        synchronized (this) {
            if (grammarCompiler == null) grammarCompiler = GrammarCompiler.of(tokenizer, vocab);
            compiler = grammarCompiler;
        }
        return compiler.compile(spec);
    }

    /** A finished output for a request that failed before or while running. */
    static RequestOutput failed(String requestId, String prompt, int[] promptTokenIds, String error) {
        double t = now();
        return new RequestOutput(requestId, prompt, promptTokenIds, null, List.of(), true,
                new RequestMetrics(t, Double.NaN, Double.NaN, Double.NaN, t), error);
    }

    public EngineStats stats() {
        int total = blocks.totalBlocks();
        return new EngineStats(scheduler.runningCount(), scheduler.waitingCount(),
                (total - blocks.freeBlocks()) / (double) total, blocks.freeBlocks(), total,
                steps, scheduler.preemptions(), lastStepTokens, lastStepSequences,
                blocks.prefixCacheQueries(), blocks.prefixCacheHits());
    }

    /** Ends a request now; its blocks are freed. Unknown or finished ids are ignored. */
    public RequestOutput abortRequest(String requestId) {
        Request r = requests.remove(requestId);
        if (r == null) return null;
        for (Sequence s : r.sequences) if (!s.finished()) s.finish(FinishReason.ABORT);
        return finish(r);
    }

    public boolean hasUnfinishedRequests() {
        return scheduler.hasWork();
    }

    /**
     * Runs one scheduling step and forward pass; returns an output for every request that got
     * new tokens (cumulative: all tokens and text so far), {@code finished} on its last one.
     */
    public List<RequestOutput> step() {
        double now = now();
        Scheduler.Step step = scheduler.schedule(now);
        List<Scheduler.Chunk> chunks = step.chunks();
        if (chunks.isEmpty()) return List.of();
        steps++;
        ForwardBatch batch = toBatch(chunks);
        lastStepTokens = batch.numTokens();
        lastStepSequences = chunks.size();
        long forwardStart = System.nanoTime();
        try {
            for (BlockCopy copy : step.blockCopies()) runner.copyBlock(copy.src(), copy.dst());
            runner.execute(batch, logits);
        } catch (RuntimeException e) {
            return failAll(chunks, e);
        }
        forwardNanos += System.nanoTime() - forwardStart;
        double done = now();
        draws.drawAll(chunks);
        List<Request> touched = new ArrayList<>();
        int row = 0;
        for (Scheduler.Chunk c : chunks) {
            scheduler.computed(c);
            Request r = c.seq().request;
            for (int i = 0; i < c.promptRows(); i++) {
                int position = c.promptRowsFrom() + i;
                int off = row++ * vocab;
                r.addPromptLogprob(position, logprobEntry(logits, off, r.promptTokenIds[position + 1], r.params.promptLogprobs(),
                        LogProbs.logSumExp(logits, off, vocab)));
            }
            if (!c.wantsLogits()) continue;
            int off = row++ * vocab;
            if (r.beams != null) {
                c.seq().pendingLogits = java.util.Arrays.copyOfRange(logits, off, off + vocab);
                if (r.beams.ready()) r.beams.step(this, scheduler, eosTokenIds, vocab, maxModelLen);
            } else if (r.forked()) {
                sampleInto(r, c.seq(), off, draws.tokenFor(c.seq()));
            } else {
                // The prompt's logits: every sequence of the group samples its first token from them.
                scheduler.fork(r);
                for (Sequence s : r.sequences) sampleInto(r, s, off, -1);
            }
            if (Double.isNaN(r.firstTokenTime)) r.firstTokenTime = done;
            r.lastTokenTime = done;
            for (Sequence s : r.sequences) if (s.finished()) scheduler.release(s);
            if (!touched.contains(r)) touched.add(r);
        }
        List<RequestOutput> outputs = new ArrayList<>();
        for (Request r : touched) {
            if (r.finished()) {
                requests.remove(r.id);
                outputs.add(finish(r));
            } else {
                outputs.add(output(r, false));
            }
        }
        return outputs;
    }

    private ForwardBatch toBatch(List<Scheduler.Chunk> chunks) {
        int n = 0, rows = 0;
        for (Scheduler.Chunk c : chunks) {
            n += c.count();
            rows += c.logitRows();
        }
        int[] ids = new int[n], positions = new int[n], seqOf = new int[n], logitRows = new int[rows];
        int[][] tables = new int[chunks.size()][];
        int t = 0, row = 0;
        for (int i = 0; i < chunks.size(); i++) {
            Scheduler.Chunk c = chunks.get(i);
            tables[i] = c.seq().blocks().array();
            for (int p = 0; p < c.promptRows(); p++) logitRows[row++] = t + c.promptRowsFrom() - c.start() + p;
            for (int j = 0; j < c.count(); j++, t++) {
                ids[t] = c.seq().token(c.start() + j);
                positions[t] = c.start() + j;
                seqOf[t] = i;
            }
            if (c.wantsLogits()) logitRows[row++] = t - 1;
        }
        return new ForwardBatch(n, ids, positions, seqOf, tables, logitRows);
    }

    /**
     * Appends {@code s}'s next token: {@code drawn} if {@link ParallelDraws} drew it (else −1), or
     * drawn here by {@link #draw} from the raw logits at {@code off}.
     */
    private void sampleInto(Request r, Sequence s, int off, int drawn) {
        SamplingParams p = r.params;
        int token = drawn >= 0 ? drawn : draw(0, r, s, off);
        boolean wantsLogprob = s.logprobs != null || p.selectsCandidates();
        // One log-softmax denominator per token (~0.2 ms on a 152k vocabulary) for both uses.
        double lse = wantsLogprob ? LogProbs.logSumExp(logits, off, vocab) : Double.NaN;
        if (wantsLogprob) s.cumulativeLogprob += (float) (logits[off + token] - lse);
        accept(s, logits, off, token, lse);
    }

    /**
     * {@code s}'s next token drawn by thread {@code worker}'s sampler from the raw logits at
     * {@code off}: straight from the row, or from that thread's copy of it through the request's
     * logits processors and then its grammar's mask (a grammar's sequences are drawn on the engine
     * thread only: {@link ParallelDraws} leaves them to the loop).
     */
    private int draw(int worker, Request r, Sequence s, int off) {
        if (r.processors.isEmpty() && s.guided == null) return samplers[worker].sample(logits, off, r.params, s.rng);
        float[] row = processed[worker];
        System.arraycopy(logits, off, row, 0, vocab);
        r.processors.apply(row, 0, s);
        if (s.guided != null) s.guided.applyMask(row, 0); // last: only tokens the grammar allows remain
        int token = samplers[worker].sample(row, 0, r.params, s.rng);
        if (s.guided != null) s.guided.advance(token);
        return token;
    }

    /**
     * Appends {@code token} to {@code s}: its log-probability entry (from the raw logits
     * {@code row[off, off + vocab)}) when requested, its text, and the checks that end the
     * sequence — EOS (unless ignore_eos), a stop token id, a stop string, max_tokens or the context.
     */
    void accept(Sequence s, float[] row, int off, int token) {
        accept(s, row, off, token, s.logprobs != null ? LogProbs.logSumExp(row, off, vocab) : Double.NaN);
    }

    /** {@link #accept(Sequence, float[], int, int)} given the row's log-sum-exp (needed when {@code s} wants log-probabilities). */
    private void accept(Sequence s, float[] row, int off, int token, double logSumExp) {
        SamplingParams p = s.request.params;
        if (s.logprobs != null) s.logprobs.add(logprobEntry(row, off, token, p.logprobs(), logSumExp));
        String stopString = s.append(token);
        if (!p.ignoreEos() && eosTokenIds.contains(token)) {
            s.finish(FinishReason.STOP);
        } else if (p.stopTokenIds().contains(token)) {
            s.stopReason = token;
            s.finish(FinishReason.STOP);
        } else if (stopString != null) {
            s.stopReason = stopString;
            s.finish(FinishReason.STOP);
        } else if (s.outputLength() >= p.maxTokens() || s.length() >= maxModelLen) {
            s.finish(FinishReason.LENGTH);
        }
    }

    /** The chosen token's log-probability and rank, plus the top k, from the raw logits. */
    private Map<Integer, Logprob> logprobEntry(float[] row, int off, int token, int k, double lse) {
        int[] ids = new int[k];
        float[] lps = new float[k];
        int count = LogProbs.topK(row, off, vocab, k, lse, ids, lps);
        Map<Integer, Logprob> entry = new LinkedHashMap<>();
        entry.put(token, new Logprob((float) (row[off + token] - lse), rank(row, off, token), tokenText(token)));
        for (int j = 0; j < count; j++) entry.putIfAbsent(ids[j], new Logprob(lps[j], j + 1, tokenText(ids[j])));
        return entry;
    }

    /** 1 + the number of tokens with a strictly larger logit. */
    private int rank(float[] row, int off, int token) {
        return 1 + VectorMath.countAbove(row, off, vocab, row[off + token]);
    }

    private String tokenText(int id) {
        return tokenizer == null ? null : tokenizer.decode(new int[]{id}, false);
    }

    /**
     * The step's draws that depend on nothing but the sequence's row of raw logits, its sampling
     * parameters (logits processors included) and its own random generator (a forked sequence
     * with no grammar and no beams), drawn on the workers before the step's serial loop, one
     * sampler and one row copy per worker. Each is the draw the engine thread would make (the
     * same generator, advanced by the same draw), so outputs do not depend on the thread count;
     * the serial loop then takes them in chunk order ({@link #tokenFor}). At a 152k vocabulary a
     * draw with top-p costs ~0.3 ms, so 16 sequences kept the other cores idle for ~5 ms a step.
     */
    private final class ParallelDraws implements WorkerPool.RangeTask {
        private final Sequence[] sequences;
        private final int[] offsets, tokens;
        private int count, next;

        ParallelDraws(int maxRows) {
            sequences = new Sequence[maxRows];
            offsets = new int[maxRows];
            tokens = new int[maxRows];
        }

        /** Draws the tokens of this step's eligible sequences, if there are two or more and threads to share them. */
        void drawAll(List<Scheduler.Chunk> chunks) {
            count = 0;
            next = 0;
            if (workers == null || workers.size() == 1) return;
            int row = 0;
            for (Scheduler.Chunk c : chunks) {
                row += c.promptRows();
                if (!c.wantsLogits()) continue;
                int off = row++ * vocab;
                Request r = c.seq().request;
                if (r.beams == null && r.forked() && c.seq().guided == null) {
                    sequences[count] = c.seq();
                    offsets[count++] = off;
                }
            }
            if (count < 2) { // one draw is not worth a hand-off: the loop makes it
                java.util.Arrays.fill(sequences, 0, count, null);
                count = 0;
                return;
            }
            workers.parallelFor(count, (long) count * vocab, this);
        }

        @Override
        public void run(int worker, int start, int end) {
            for (int j = start; j < end; j++) tokens[j] = draw(worker, sequences[j].request, sequences[j], offsets[j]);
        }

        /** The token drawn for {@code s} (asked in chunk order), or −1 if it is to be drawn in the loop. */
        int tokenFor(Sequence s) {
            if (next >= count || sequences[next] != s) return -1;
            sequences[next] = null; // not kept past the step
            return tokens[next++];
        }
    }

    /** A failed forward pass fails the requests in the batch (freeing their blocks); the engine goes on. */
    private List<RequestOutput> failAll(List<Scheduler.Chunk> chunks, RuntimeException e) {
        List<RequestOutput> out = new ArrayList<>();
        for (Scheduler.Chunk c : chunks) {
            Request r = c.seq().request;
            if (requests.remove(r.id) == null) continue;
            r.error = e.toString();
            for (Sequence s : r.sequences) if (!s.finished()) s.finish(FinishReason.ERROR);
            out.add(finish(r));
        }
        return out;
    }

    private RequestOutput finish(Request r) {
        scheduler.remove(r);
        r.finishedTime = now();
        return output(r, true);
    }

    /**
     * The request's outputs so far. A request that picks its n outputs among more candidates
     * (best_of > n, beam search) shows none until it has finished: then the n best, by cumulative
     * log-probability (beam search: by beam score), best first.
     */
    private RequestOutput output(Request r, boolean finished) {
        List<Sequence> shown;
        if (!r.params.selectsCandidates()) {
            shown = r.sequences;
        } else if (!finished) {
            shown = List.of();
        } else if (r.beams != null) {
            shown = r.beams.best(eosTokenIds);
        } else {
            List<Sequence> ranked = new ArrayList<>(r.sequences);
            ranked.sort(java.util.Comparator.comparingDouble((Sequence s) -> s.cumulativeLogprob).reversed());
            shown = ranked.subList(0, r.params.n());
        }
        boolean ranked = r.params.selectsCandidates();
        List<CompletionOutput> outs = new ArrayList<>();
        for (int i = 0; i < shown.size(); i++) {
            Sequence s = shown.get(i);
            outs.add(new CompletionOutput(ranked ? i : s.index, s.text(), s.outputTokens(),
                    s.logprobs != null || ranked ? s.cumulativeLogprob : Double.NaN,
                    s.logprobs == null ? null : List.copyOf(s.logprobs), s.finishReason, s.stopReason));
        }
        return new RequestOutput(r.id, r.prompt, r.promptTokenIds, r.promptLogprobs(), outs, finished, r.metrics(), r.error);
    }

    /** How many times a request was preempted (its blocks freed, to be recomputed). */
    public long preemptions() {
        return scheduler.preemptions();
    }

    /** Time spent inside forward passes so far; the rest of a step is scheduling, sampling and bookkeeping. */
    public long forwardNanos() {
        return forwardNanos;
    }

    public long steps() {
        return steps;
    }

    public int freeBlocks() {
        return blocks.freeBlocks();
    }

    public int totalBlocks() {
        return blocks.totalBlocks();
    }

    /** The block manager and the unfinished requests, for tests that check the block invariants. */
    BlockManager blockManager() {
        return blocks;
    }

    Iterable<Request> unfinishedRequests() {
        return requests.values();
    }

    private static final long EPOCH_MILLIS = System.currentTimeMillis();
    private static final long EPOCH_NANOS = System.nanoTime();

    /** Seconds since the epoch with the monotonic clock's resolution (currentTimeMillis is too coarse for TPOT). */
    private static double now() {
        return EPOCH_MILLIS / 1e3 + (System.nanoTime() - EPOCH_NANOS) / 1e9;
    }
}
