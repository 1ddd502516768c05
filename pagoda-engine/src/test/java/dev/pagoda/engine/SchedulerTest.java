package dev.pagoda.engine;

import dev.pagoda.config.GenerationConfig;
import dev.pagoda.sampling.SamplingParams;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vLLM V1 scheduling rules, sequence groups and prefix-cache accounting, step by step over a {@link FakeRunner}. */
class SchedulerTest {
    static LLMEngine engine(int numBlocks, int blockSize, int maxNumSeqs, int budget, boolean chunked, boolean prefixCaching) {
        return new LLMEngine(new FakeRunner(32, numBlocks, blockSize, budget, maxNumSeqs, 256), null, GenerationConfig.EMPTY,
                256, maxNumSeqs, budget, chunked, prefixCaching);
    }

    static SamplingParams greedy(int maxTokens) {
        return SamplingParams.builder().temperature(0.0).maxTokens(maxTokens).ignoreEos(true).build();
    }

    static RequestOutput runToEnd(LLMEngine e, String id) {
        RequestOutput last = null;
        while (e.hasUnfinishedRequests()) for (RequestOutput o : e.step()) if (o.requestId().equals(id) && o.finished()) last = o;
        return last;
    }

    @Test
    void noRequestIsAdmittedInAStepThatPreempted() {
        LLMEngine e = engine(5, 2, 8, 64, true, false);
        e.addRequest("a", null, new int[]{1, 2, 3}, greedy(5));
        e.addRequest("b", null, new int[]{4, 5, 6}, greedy(5));
        e.step(); // both prefill: 4 of 5 blocks in use
        e.step(); // both decode position 3, still in their second blocks
        e.addRequest("c", null, new int[]{7}, greedy(1));
        e.step(); // a takes the last block for position 4; b finds none and is preempted (it was last), freeing two
        assertEquals(1, e.preemptions());
        // c would fit a free block, but is not admitted: vLLM admits nothing in a step that preempted, and the
        // preempted b is first in line anyway (it always is, so both rules stop c here).
        assertEquals(1, e.stats().running());
        assertEquals(2, e.stats().waiting());
        assertEquals(1, e.stats().lastStepTokens());
        e.step(); // b, first in line with 5 tokens to recompute, needs 3 blocks of the 2 free: c may not overtake it
        assertEquals(1, e.stats().running());
        assertEquals("c", runToEnd(e, "c").requestId());
        assertEquals(5, e.freeBlocks());
    }

    @Test
    void withoutChunkedPrefillAPromptThatDoesNotFitStopsAdmission() {
        LLMEngine e = engine(64, 4, 8, 8, false, false);
        e.addRequest("a", null, new int[]{1, 2, 3, 4, 5}, greedy(2));
        e.addRequest("b", null, new int[]{1, 2, 3, 4, 5, 6}, greedy(2));
        e.addRequest("c", null, new int[]{1, 2}, greedy(2));
        e.step();
        assertEquals(1, e.stats().running(), "b does not fit the 3 tokens left, and c may not overtake it");
        assertEquals(5, e.stats().lastStepTokens());

        LLMEngine chunked = engine(64, 4, 8, 8, true, false);
        chunked.addRequest("a", null, new int[]{1, 2, 3, 4, 5}, greedy(2));
        chunked.addRequest("b", null, new int[]{1, 2, 3, 4, 5, 6}, greedy(2));
        chunked.step();
        assertEquals(2, chunked.stats().running(), "with chunked prefill b's prompt is cut");
        assertEquals(8, chunked.stats().lastStepTokens());
    }

    @Test
    void aGroupPrefillsItsPromptOnceAndCopiesTheSharedPartialBlockOnFirstWrite() {
        LLMEngine e = engine(16, 4, 8, 64, true, false);
        e.addRequest("n3", null, new int[]{1, 2, 3, 4, 5, 6}, SamplingParams.builder().n(3).temperature(1.0).seed(3L).maxTokens(4).build());
        e.step();
        assertEquals(6, e.stats().lastStepTokens(), "the prompt is computed once");
        assertEquals(14, e.freeBlocks(), "the three sequences share the prompt's two blocks");
        e.step();
        assertEquals(3, e.stats().lastStepTokens());
        assertEquals(12, e.freeBlocks(), "two of the three writers into the partial block got a copy");
        RequestOutput out = runToEnd(e, "n3");
        assertEquals(3, out.outputs().size());
        assertEquals(16, e.freeBlocks());
    }

    @Test
    void cachedFreeBlocksCountAsFreeAndAreReusedUnlessTheRequestSkipsReadingTheCache() {
        LLMEngine e = engine(16, 4, 8, 64, true, true);
        int[] prompt = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        e.addRequest("first", null, prompt, greedy(3));
        int[] want = runToEnd(e, "first").outputs().getFirst().tokenIds();
        assertEquals(16, e.freeBlocks());
        assertEquals(0.0, e.stats().kvCacheUsage());
        assertEquals(9, e.stats().prefixCacheQueries());
        assertEquals(0, e.stats().prefixCacheHits());

        e.addRequest("again", null, prompt, greedy(3));
        e.step();
        assertEquals(1, e.stats().lastStepTokens(), "two cached blocks reused: only the last prompt token is computed");
        assertArrayEquals(want, runToEnd(e, "again").outputs().getFirst().tokenIds());
        assertEquals(18, e.stats().prefixCacheQueries());
        assertEquals(8, e.stats().prefixCacheHits());

        e.addRequest("skip", null, prompt, greedy(3), true);
        e.step();
        assertEquals(9, e.stats().lastStepTokens(), "every prompt position is computed");
        assertArrayEquals(want, runToEnd(e, "skip").outputs().getFirst().tokenIds());
        assertEquals(18, e.stats().prefixCacheQueries(), "no lookup, so nothing counted");
        assertEquals(8, e.stats().prefixCacheHits());
    }

    @Test
    void aGroupThatCouldNeverBeScheduledIsRejected() {
        LLMEngine e = engine(6, 4, 2, 64, true, true);
        IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
                () -> e.addRequest("x", null, new int[]{1, 2}, SamplingParams.builder().n(3).temperature(1.0).maxTokens(2).build()));
        assertTrue(tooMany.getMessage().contains("--max-num-seqs 2"), tooMany.getMessage());
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> e.addRequest("y", null, new int[]{1, 2, 3, 4, 5, 6, 7, 8}, SamplingParams.builder().n(2).temperature(1.0).maxTokens(8).build()));
        assertTrue(tooBig.getMessage().contains("8 KV blocks") && tooBig.getMessage().contains("only 6 blocks"), tooBig.getMessage());
        e.addRequest("fits", null, new int[]{1, 2, 3, 4, 5, 6, 7, 8}, SamplingParams.builder().n(2).temperature(1.0).maxTokens(4).build());
        assertEquals(2, runToEnd(e, "fits").outputs().size());
    }
}
