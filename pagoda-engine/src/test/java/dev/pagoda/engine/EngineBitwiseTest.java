package dev.pagoda.engine;

import dev.pagoda.config.GenerationConfig;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On real models: each request's tokens and log-probabilities (of the raw logits) are bitwise the
 * same run alone, in a batch of 16 with other lengths, with small prefill chunks, with preemption
 * forced by a tiny pool, and with prefix caching on (and hitting); children forked with n = 3
 * read the shared prompt blocks and their own copy of the last partial one correctly.
 */
class EngineBitwiseTest {
    static final int BLOCK = 16;
    static final int MAX_TOKENS = 12;

    record Req(String id, int[] prompt, SamplingParams params) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K/stories260K.gguf", "models/fixtures/qwen2/hf"})
    void outputsDoNotDependOnBatchingChunkingPreemptionOrPrefixCaching(String model) {
        try (TestModel big = new TestModel(Shared.path(model), null, 2, BLOCK, 128, 256);
             TestModel tiny = new TestModel(Shared.path(model), null, 2, BLOCK, 12, 256)) {
            List<Req> reqs = requests(big.vocab);
            Map<String, RequestOutput> alone = new HashMap<>();
            for (Req r : reqs) alone.putAll(run(engine(big, 256, false), List.of(r)));

            LLMEngine batched = engine(big, 256, false);
            assertSame(alone, run(batched, reqs), "batch of 16");
            LLMEngine chunked = engine(big, 16, false);
            assertSame(alone, run(chunked, reqs), "chunks of at most 16 tokens per step");
            LLMEngine preempted = engine(tiny, 256, false);
            assertSame(alone, run(preempted, reqs), "tiny pool");
            assertTrue(preempted.preemptions() > 0, "the tiny pool forced preemption");
            LLMEngine cached = engine(tiny, 32, true);
            assertSame(alone, run(cached, reqs), "prefix caching, tiny pool, chunks of 32");
            assertTrue(cached.stats().prefixCacheHits() > 0, "the shared prefixes hit the cache");
            LLMEngine cachedBig = engine(big, 256, true);
            run(cachedBig, reqs.subList(0, 1));
            assertSame(alone, run(cachedBig, reqs), "prefix caching after a first request warmed it");
            assertTrue(cachedBig.stats().prefixCacheHits() >= 48, "the first request's prefix blocks were reused");

            // Each forked child's last log-probabilities equal those of its whole text run as a fresh prompt.
            Req forked = reqs.getLast();
            for (CompletionOutput child : alone.get(forked.id()).outputs()) {
                int[] tokens = child.tokenIds();
                int[] prompt = TestModel.concat(forked.prompt(), Arrays.copyOf(tokens, tokens.length - 1));
                SamplingParams one = SamplingParams.builder().temperature(0.0).maxTokens(1).logprobs(3).build();
                RequestOutput replay = run(engine(big, 256, false), List.of(new Req("replay", prompt, one))).get("replay");
                Map<Integer, Logprob> last = child.logprobs().getLast();
                for (var e : replay.outputs().getFirst().logprobs().getFirst().entrySet()) {
                    assertEquals(e.getValue().logprob(), last.get(e.getKey()).logprob(), "child " + child.index());
                }
            }
        }
    }

    /**
     * 16 requests: random prompts of 5..70 tokens, six of them sharing a 48-token prefix, greedy
     * with log-probabilities, and last one sampled request with n = 3 whose 37-token prompt ends
     * inside a block.
     */
    static List<Req> requests(int vocab) {
        SplittableRandom rnd = new SplittableRandom(11);
        int[] shared = rnd.ints(48, 3, vocab).toArray();
        SamplingParams greedy = SamplingParams.builder().temperature(0.0).maxTokens(MAX_TOKENS).logprobs(3).build();
        List<Req> reqs = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            int[] own = rnd.ints(5 + rnd.nextInt(66), 3, vocab).toArray();
            int[] prompt = i % 3 == 0 ? TestModel.concat(shared, Arrays.copyOf(own, 1 + own.length % 20)) : own;
            reqs.add(new Req("r" + i, prompt, greedy));
        }
        reqs.add(new Req("n3", Arrays.copyOf(shared, 37),
                SamplingParams.builder().n(3).temperature(0.8).seed(42L).maxTokens(MAX_TOKENS).logprobs(3).build()));
        return reqs;
    }

    static LLMEngine engine(TestModel m, int budget, boolean prefixCaching) {
        return new LLMEngine(new DecoderRunner(m.decoder, m.cache), null, GenerationConfig.EMPTY, 512, 16, budget, true, prefixCaching);
    }

    static Map<String, RequestOutput> run(LLMEngine engine, List<Req> reqs) {
        for (Req r : reqs) engine.addRequest(r.id(), null, r.prompt(), r.params());
        Map<String, RequestOutput> out = new HashMap<>();
        while (engine.hasUnfinishedRequests()) for (RequestOutput o : engine.step()) if (o.finished()) out.put(o.requestId(), o);
        assertEquals(engine.totalBlocks(), engine.freeBlocks(), "every block is free again");
        return out;
    }

    static void assertSame(Map<String, RequestOutput> want, Map<String, RequestOutput> got, String how) {
        assertEquals(want.keySet(), got.keySet());
        for (String id : want.keySet()) {
            List<CompletionOutput> w = want.get(id).outputs(), g = got.get(id).outputs();
            assertEquals(w.size(), g.size());
            for (int i = 0; i < w.size(); i++) {
                assertArrayEquals(w.get(i).tokenIds(), g.get(i).tokenIds(), how + ": " + id + " sequence " + i);
                assertEquals(w.get(i).logprobs(), g.get(i).logprobs(), how + ": " + id + " sequence " + i + " log-probabilities");
            }
        }
    }
}
