package dev.pagoda.engine;

import dev.pagoda.cache.BlockManager;
import dev.pagoda.config.GenerationConfig;
import dev.pagoda.sampling.SamplingParams;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine over a {@link FakeRunner}, on random workloads: arrival times, prompts sharing
 * prefixes, n (forked groups), random and greedy sampling, stop tokens, aborts, small pools that
 * force preemption, with and without chunked prefill and prefix caching. Invariants: per-step
 * budgets hold (the runner checks), after every step each block's reference count equals the
 * number of block tables holding it, every request finishes, every block is free at the end, and
 * each request's output is the one it gets running alone (aborted ones: a prefix of it).
 */
class SchedulerProperties {
    static final int VOCAB = 32;

    record Spec(String id, int arrival, int[] prompt, SamplingParams params, int abortAt) {
    }

    record Config(int blockSize, int numBlocks, int maxNumSeqs, int maxNumBatchedTokens, int maxModelLen,
                  boolean chunkedPrefill, boolean prefixCaching) {
    }

    @Property(tries = 300)
    void everyRequestFinishesWithItsAloneOutputAndNoBlockLeaks(@ForAll @IntRange(min = 1, max = 8) int blockSize,
                                                                @ForAll @IntRange(min = 1, max = 8) int maxNumSeqs,
                                                                @ForAll @IntRange(min = 1, max = 48) int maxNumBatchedTokens,
                                                                @ForAll boolean chunkedPrefill, @ForAll boolean prefixCaching,
                                                                @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int maxModelLen = 8 + rnd.nextInt(56);
        if (!chunkedPrefill) maxNumBatchedTokens = Math.max(maxNumBatchedTokens, maxModelLen); // as LLM requires at start-up
        List<Spec> specs = workload(rnd, maxNumSeqs, maxModelLen);
        int needed = 0;
        for (Spec s : specs) needed = Math.max(needed, blocksNeeded(s, blockSize, maxModelLen));
        Config c = new Config(blockSize, needed + (rnd.nextBoolean() ? rnd.nextInt(2) : rnd.nextInt(needed / 2 + 1)), maxNumSeqs, maxNumBatchedTokens, maxModelLen,
                chunkedPrefill, prefixCaching);

        Run run = run(c, specs);
        Statistics.label("preempted").collect(run.preemptions > 0);
        Statistics.label("prefix hits").collect(run.prefixHits > 0);
        for (Spec s : specs) {
            RequestOutput out = run.outputs.get(s.id());
            RequestOutput alone = run(new Config(blockSize, 4 * needed, maxNumSeqs, 64, maxModelLen, true, false),
                    List.of(new Spec(s.id(), 0, s.prompt(), s.params(), -1))).outputs.get(s.id());
            assertEquals(alone.outputs().size(), out.outputs().size());
            for (int i = 0; i < out.outputs().size(); i++) {
                CompletionOutput got = out.outputs().get(i), want = alone.outputs().get(i);
                if (got.finishReason() == FinishReason.ABORT) {
                    assertArrayEquals(Arrays.copyOf(want.tokenIds(), got.tokenIds().length), got.tokenIds(), s.id() + " aborted: a prefix");
                } else {
                    assertArrayEquals(want.tokenIds(), got.tokenIds(), s.id() + " sequence " + i);
                    assertEquals(want.finishReason(), got.finishReason());
                }
            }
        }
    }

    static List<Spec> workload(SplittableRandom rnd, int maxNumSeqs, int maxModelLen) {
        int[][] bases = new int[3][];
        for (int i = 0; i < bases.length; i++) bases[i] = rnd.ints(maxModelLen, 0, VOCAB).toArray();
        List<Spec> specs = new ArrayList<>();
        int count = 1 + rnd.nextInt(12);
        for (int i = 0; i < count; i++) {
            int[] prompt = Arrays.copyOf(bases[rnd.nextInt(bases.length)], 1 + rnd.nextInt(maxModelLen - 1));
            if (rnd.nextBoolean()) {
                // a different suffix
                for (int j = rnd.nextInt(prompt.length); j < prompt.length; j++) if (rnd.nextInt(4) == 0) prompt[j] = rnd.nextInt(VOCAB);
            } else {
                // one early token differs: later blocks hold the same tokens after a different prefix
                prompt[rnd.nextInt((prompt.length + 1) / 2)] = rnd.nextInt(VOCAB);
            }
            int n = 1 + rnd.nextInt(Math.min(3, maxNumSeqs));
            SamplingParams.Builder p = SamplingParams.builder().n(n).maxTokens(1 + rnd.nextInt(30)).seed(rnd.nextLong());
            p.temperature(n == 1 && rnd.nextBoolean() ? 0.0 : 1.0);
            if (rnd.nextInt(3) == 0) p.stopTokenIds(List.of(rnd.nextInt(VOCAB)));
            specs.add(new Spec("r" + i, rnd.nextInt(8), prompt, p.build(), rnd.nextInt(5) == 0 ? rnd.nextInt(30) : -1));
        }
        return specs;
    }

    /** What the engine's validation demands: the whole group fits the pool without sharing. */
    static int blocksNeeded(Spec s, int blockSize, int maxModelLen) {
        int tokens = Math.min(s.prompt().length + s.params().maxTokens(), maxModelLen);
        return s.params().n() * ((tokens + blockSize - 1) / blockSize);
    }

    static final class Run {
        final Map<String, RequestOutput> outputs = new HashMap<>();
        long preemptions;
        long prefixHits;
    }

    static Run run(Config c, List<Spec> specs) {
        FakeRunner runner = new FakeRunner(VOCAB, c.numBlocks(), c.blockSize(), c.maxNumBatchedTokens(), c.maxNumSeqs(), c.maxModelLen());
        LLMEngine engine = new LLMEngine(runner, null, GenerationConfig.EMPTY, c.maxModelLen(), c.maxNumSeqs(),
                c.maxNumBatchedTokens(), c.chunkedPrefill(), c.prefixCaching());
        Run run = new Run();
        int lastArrival = specs.stream().mapToInt(Spec::arrival).max().orElse(0);
        for (int step = 0; step <= lastArrival || engine.hasUnfinishedRequests(); step++) {
            assertTrue(step < 20_000, "the engine made no progress");
            for (Spec s : specs) {
                if (s.arrival() == step) engine.addRequest(s.id(), null, s.prompt(), s.params());
                if (s.abortAt() >= 0 && step == s.arrival() + s.abortAt()) {
                    RequestOutput aborted = engine.abortRequest(s.id());
                    if (aborted != null) assertNull(run.outputs.put(s.id(), aborted), "finished twice");
                }
            }
            for (RequestOutput o : engine.step()) if (o.finished()) assertNull(run.outputs.put(o.requestId(), o), "finished twice");
            checkOwnership(engine, c.numBlocks());
        }
        assertEquals(specs.size(), run.outputs.size(), "every request finished");
        BlockManager blocks = engine.blockManager();
        assertEquals(blocks.totalBlocks(), blocks.freeBlocks(), "every block is free again");
        for (int b = 0; b < c.numBlocks(); b++) assertEquals(0, blocks.refCount(b));
        run.preemptions = engine.preemptions();
        run.prefixHits = engine.stats().prefixCacheHits();
        return run;
    }

    /** Each block's reference count is the number of (unfinished) sequences' tables holding it; free blocks are the rest. */
    static void checkOwnership(LLMEngine engine, int numBlocks) {
        int[] owners = new int[numBlocks];
        for (Request r : engine.unfinishedRequests()) {
            for (Sequence s : r.sequences) {
                if (s.finished()) assertEquals(0, s.blocks().size(), "a finished sequence holds no blocks");
                for (int i = 0; i < s.blocks().size(); i++) owners[s.blocks().block(i)]++;
            }
        }
        BlockManager blocks = engine.blockManager();
        int free = 0;
        for (int b = 0; b < numBlocks; b++) {
            assertEquals(owners[b], blocks.refCount(b), "owners of block " + b);
            if (owners[b] == 0) free++;
        }
        assertEquals(free, blocks.freeBlocks());
    }
}
