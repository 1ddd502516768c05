package dev.pagoda.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.config.GenerationConfig;
import dev.pagoda.model.ForwardBatch;
import dev.pagoda.sampling.InvalidParameterException;
import dev.pagoda.sampling.LogProbs;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vLLM's {@code prompt_logprobs} on the bundled model: every prompt token's log-probability (and
 * rank, and the top k) equals the log-softmax of the logits computed independently, prefix by
 * prefix (one forward pass per prefix, its last row), whether the prompt runs whole, cut into
 * chunks, batched with other requests, under a small logit-row budget or after preemption; and
 * the teacher-forced entries match llama.cpp's reference.
 */
@Timeout(300)
class PromptLogprobsTest {
    static final double TOLERANCE = 1e-5;
    static final String MODEL = "models/stories260K/stories260K.gguf";
    /** The independent path: its own decoder and cache, one forward per prefix. */
    static TestModel reference;
    static int vocab;
    static final Map<String, float[][]> prefixLogitsCache = new HashMap<>();

    @BeforeAll
    static void load() {
        reference = new TestModel(Shared.path(MODEL), null, 1, 16, 64, 512);
        vocab = reference.vocab;
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    /** Logits after each prefix tokens[0..p], each from its own forward pass of that prefix (its last row). */
    static float[][] prefixLogits(int[] tokens) {
        return prefixLogitsCache.computeIfAbsent(Arrays.toString(tokens), k -> {
            int[] table = IntStream.range(0, reference.cache.numBlocks()).toArray();
            float[][] rows = new float[tokens.length][vocab];
            for (int p = 0; p < tokens.length; p++) {
                int n = p + 1;
                reference.decoder.forward(new ForwardBatch(n, Arrays.copyOf(tokens, n), IntStream.range(0, n).toArray(), new int[n],
                        new int[][]{table}, new int[]{p}), reference.cache, rows[p]);
            }
            return rows;
        });
    }

    /** Logits after every token of {@code tokens} from one teacher-forced pass (as the reference tests use). */
    static float[][] teacherForcedLogits(int[] tokens) {
        float[] all = reference.allLogits(tokens);
        float[][] rows = new float[tokens.length][];
        for (int p = 0; p < tokens.length; p++) rows[p] = Arrays.copyOfRange(all, p * vocab, (p + 1) * vocab);
        return rows;
    }

    /** Checks an output's prompt log-probabilities against log_softmax of the prefix logits. */
    static void assertPromptLogprobs(int[] prompt, int k, List<Map<Integer, Logprob>> got, String what) {
        assertPromptLogprobs(prompt, k, got, prefixLogits(prompt), what);
    }

    /** Checks prompt log-probabilities against log_softmax of {@code logits} (row p: after token p). */
    static void assertPromptLogprobs(int[] prompt, int k, List<Map<Integer, Logprob>> got, float[][] logits, String what) {
        assertNotNull(got, what + ": no prompt logprobs");
        assertEquals(prompt.length, got.size(), what + ": one entry per prompt token");
        assertNull(got.getFirst(), what + ": the first prompt token has no logprob");
        for (int pos = 1; pos < prompt.length; pos++) {
            float[] row = logits[pos - 1];
            double lse = LogProbs.logSumExp(row, 0, vocab);
            Map<Integer, Logprob> entry = got.get(pos);
            int token = prompt[pos];
            Logprob actual = entry.get(token);
            assertNotNull(actual, what + " pos " + pos + ": the prompt token is always included");
            assertEquals(row[token] - lse, actual.logprob(), TOLERANCE, what + " pos " + pos + ": logprob of the prompt token");
            int rank = 1;
            for (float x : row) if (x > row[token]) rank++;
            assertEquals(rank, actual.rank(), what + " pos " + pos + ": rank");
            int[] ids = new int[k];
            float[] lps = new float[k];
            int count = LogProbs.topK(row, 0, vocab, k, lse, ids, lps);
            for (int j = 0; j < count; j++) {
                Logprob lp = entry.get(ids[j]);
                assertNotNull(lp, what + " pos " + pos + ": top-" + (j + 1) + " token " + ids[j] + " missing");
                assertEquals(lps[j], lp.logprob(), TOLERANCE, what + " pos " + pos + " top " + (j + 1));
                assertEquals(j + 1, lp.rank(), what + " pos " + pos + " top " + (j + 1) + " rank");
            }
            boolean inTop = false;
            for (int j = 0; j < count; j++) inTop |= ids[j] == token;
            assertEquals(count + (inTop ? 0 : 1), entry.size(), what + " pos " + pos + ": the top k plus the prompt token");
        }
    }

    static int[] randomPrompt(Random rnd, int length) {
        int[] p = rnd.ints(length, 3, vocab).toArray();
        p[0] = 1; // BOS
        return p;
    }

    static SamplingParams greedy(int maxTokens, Integer promptLogprobs) {
        return SamplingParams.builder().temperature(0.0).maxTokens(maxTokens).promptLogprobs(promptLogprobs).build();
    }

    /** A runner that plans only {@code maxLogitRows} logit rows and checks every batch against it. */
    static final class RowCappedRunner implements ModelRunner {
        final ModelRunner inner;
        final int maxLogitRows;
        int mostRows;
        int steps;

        RowCappedRunner(ModelRunner inner, int maxLogitRows) {
            this.inner = inner;
            this.maxLogitRows = maxLogitRows;
        }

        public int vocabSize() { return inner.vocabSize(); }
        public int maxTokens() { return inner.maxTokens(); }
        public int maxLogitRows() { return maxLogitRows; }
        public int numBlocks() { return inner.numBlocks(); }
        public int blockSize() { return inner.blockSize(); }
        public void copyBlock(int src, int dst) { inner.copyBlock(src, dst); }

        public void execute(ForwardBatch batch, float[] logits) {
            int rows = batch.logitRows().length;
            assertTrue(rows <= maxLogitRows, rows + " logit rows exceed the planned " + maxLogitRows);
            assertTrue(logits.length >= rows * vocabSize());
            for (int i = 1; i < rows; i++) assertTrue(batch.logitRows()[i] > batch.logitRows()[i - 1], "logit rows in batch order");
            mostRows = Math.max(mostRows, rows);
            steps++;
            inner.execute(batch, logits);
        }
    }

    record Req(String id, int[] prompt, SamplingParams params) {
    }

    static Map<String, RequestOutput> run(LLMEngine engine, List<Req> reqs) {
        for (Req r : reqs) engine.addRequest(r.id(), null, r.prompt(), r.params());
        Map<String, RequestOutput> out = new HashMap<>();
        while (engine.hasUnfinishedRequests()) for (RequestOutput o : engine.step()) if (o.finished()) out.put(o.requestId(), o);
        assertEquals(engine.totalBlocks(), engine.freeBlocks(), "every KV block is free again");
        return out;
    }

    /** A mixed batch: prompt-logprob requests of several k and lengths next to plain ones, n > 1 and beam search. */
    static List<Req> mixed() {
        Random rnd = new Random(7);
        List<Req> reqs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int[] prompt = randomPrompt(rnd, 2 + rnd.nextInt(90));
            reqs.add(new Req("r" + i, prompt, greedy(3, i % 4 == 3 ? null : i % 3 == 0 ? 0 : 2 + i)));
        }
        reqs.add(new Req("one-token", new int[]{1}, greedy(2, 5)));
        reqs.add(new Req("n2", randomPrompt(rnd, 40),
                SamplingParams.builder().n(2).temperature(0.8).seed(3L).maxTokens(4).promptLogprobs(4).build()));
        reqs.add(new Req("beam", randomPrompt(rnd, 33),
                SamplingParams.builder().n(2).useBeamSearch(true).temperature(0.0).maxTokens(3).promptLogprobs(1).build()));
        return reqs;
    }

    static void check(Map<String, RequestOutput> out, List<Req> reqs, String what) {
        for (Req r : reqs) {
            RequestOutput o = out.get(r.id());
            if (r.params().promptLogprobs() == null) {
                assertNull(o.promptLogprobs(), what + " " + r.id() + ": not requested");
            } else {
                assertPromptLogprobs(r.prompt(), r.params().promptLogprobs(), o.promptLogprobs(), what + " " + r.id());
            }
        }
    }

    @Test
    void wholePromptsChunksAndBatchesEqualTheIndependentLogits() {
        List<Req> reqs = mixed();
        // budget 512: prompts run whole; 7 and 16: cut into chunks and batched with each other.
        for (int budget : new int[]{512, 16, 7}) {
            try (TestModel m = new TestModel(Shared.path(MODEL), null, 2, 16, 128, 512)) {
                LLMEngine engine = new LLMEngine(new DecoderRunner(m.decoder, m.cache), null, GenerationConfig.EMPTY, 512, 16, budget, true);
                check(run(engine, reqs), reqs, "budget " + budget);
            }
        }
    }

    @Test
    void aSmallLogitRowBudgetCutsTheChunksAndIsNeverExceeded() {
        Random rnd = new Random(11);
        int[] longPrompt = randomPrompt(rnd, 300);
        List<Req> reqs = List.of(new Req("long", longPrompt, greedy(2, 3)),
                new Req("other", randomPrompt(rnd, 20), greedy(4, 1)),
                new Req("plain", randomPrompt(rnd, 50), greedy(4, null)));
        int maxNumSeqs = 4, promptRows = 5;
        try (TestModel m = new TestModel(Shared.path(MODEL), null, 2, 16, 128, 512)) {
            RowCappedRunner runner = new RowCappedRunner(new DecoderRunner(m.decoder, m.cache), maxNumSeqs + promptRows);
            LLMEngine engine = new LLMEngine(runner, null, GenerationConfig.EMPTY, 512, maxNumSeqs, 512, true);
            check(run(engine, reqs), reqs, "5 prompt rows per step");
            // 299 + 19 prompt rows at 5 per step: the budget, not the token budget, set the pace.
            assertTrue(runner.steps >= (299 + 19) / promptRows, runner.steps + " steps");
            assertTrue(runner.mostRows >= promptRows, "the budget was used: " + runner.mostRows);
        }
    }

    @Test
    void withoutChunkedPrefillAPromptWhoseRowsCannotFitIsRefused() {
        try (TestModel m = new TestModel(Shared.path(MODEL), null, 2, 16, 128, 512)) {
            LLMEngine engine = new LLMEngine(new RowCappedRunner(new DecoderRunner(m.decoder, m.cache), 4 + 8), null,
                    GenerationConfig.EMPTY, 512, 4, 512, false);
            InvalidParameterException e = assertThrows(InvalidParameterException.class,
                    () -> engine.addRequest("x", null, randomPrompt(new Random(1), 10), greedy(2, 1)));
            assertEquals("prompt_logprobs", e.field());
            // Nine rows do not fit eight; eight do.
            int[] fits = randomPrompt(new Random(2), 9);
            Map<String, RequestOutput> out = run(engine, List.of(new Req("fits", fits, greedy(2, 2))));
            assertPromptLogprobs(fits, 2, out.get("fits").promptLogprobs(), "no chunked prefill");

            LLMEngine none = new LLMEngine(new RowCappedRunner(new DecoderRunner(m.decoder, m.cache), 4), null,
                    GenerationConfig.EMPTY, 512, 4, 512, true);
            assertEquals("prompt_logprobs", assertThrows(InvalidParameterException.class,
                    () -> none.addRequest("y", null, fits, greedy(2, 1))).field());
            assertEquals("prompt_logprobs", assertThrows(InvalidParameterException.class,
                    () -> none.validate(fits, greedy(2, vocab + 1))).field());
        }
    }

    @Test
    void thePrefixCacheIsNotReadForPromptLogprobs() {
        int[] prompt = randomPrompt(new Random(5), 70);
        try (TestModel m = new TestModel(Shared.path(MODEL), null, 2, 16, 128, 512)) {
            LLMEngine engine = new LLMEngine(new DecoderRunner(m.decoder, m.cache), null, GenerationConfig.EMPTY, 512, 16, 512, true, true);
            run(engine, List.of(new Req("warm", prompt, greedy(2, null))));
            long hits = engine.stats().prefixCacheHits();
            run(engine, List.of(new Req("again", prompt, greedy(2, null))));
            assertTrue(engine.stats().prefixCacheHits() > hits, "the plain request reads the cached prefix");
            hits = engine.stats().prefixCacheHits();
            Map<String, RequestOutput> out = run(engine, List.of(new Req("logprobs", prompt, greedy(2, 3))));
            assertEquals(hits, engine.stats().prefixCacheHits(), "the prompt-logprobs request computed every position");
            assertPromptLogprobs(prompt, 3, out.get("logprobs").promptLogprobs(), "after a cached run");
        }
    }

    @Test
    void preemptionMidPromptRecomputesWithoutDuplicatingEntries() {
        Random rnd = new Random(9);
        List<Req> reqs = new ArrayList<>();
        for (int i = 0; i < 6; i++) reqs.add(new Req("p" + i, randomPrompt(rnd, 60 + 10 * i), greedy(40, 2)));
        // 24 blocks of 16 tokens for six sequences of up to 150 tokens: requests get preempted.
        try (TestModel m = new TestModel(Shared.path(MODEL), null, 2, 16, 24, 512)) {
            LLMEngine engine = new LLMEngine(new RowCappedRunner(new DecoderRunner(m.decoder, m.cache), 16 + 7), null,
                    GenerationConfig.EMPTY, 512, 16, 32, true);
            check(run(engine, reqs), reqs, "under preemption");
            assertTrue(engine.preemptions() > 0, "the pool was small enough to preempt");
        }
    }

    @Test
    void offlineApiMatchesLlamaCppTeacherForced() {
        JsonNode ref = Shared.json("reference/stories260K-llamacpp.json");
        EngineArgs args = LLMTest.args(64L << 20, 16);
        args.maxNumBatchedTokens = 64; // the prompts are cut into chunks
        args.maxPromptLogprobsRows = 40;
        try (LLM llm = new LLM(args).showProgress(false)) {
            List<Prompt> prompts = new ArrayList<>();
            List<int[]> full = new ArrayList<>();
            for (JsonNode c : ref.path("cases")) {
                int[] seq = TestModel.concat(LLMTest.ids(c.path("prompt_token_ids")), LLMTest.ids(c.path("completion_token_ids")));
                full.add(seq);
                prompts.add(Prompt.tokens(seq));
            }
            List<RequestOutput> outs = llm.generatePrompts(prompts, greedy(1, 5));
            int c = 0;
            for (JsonNode cs : ref.path("cases")) {
                String id = cs.path("id").asText();
                int promptLen = cs.path("prompt_token_ids").size();
                List<Map<Integer, Logprob>> got = outs.get(c).promptLogprobs();
                // Long prompts: the one-pass teacher-forced logits here (the prefix-by-prefix path is O(n²)).
                assertPromptLogprobs(full.get(c), 5, got, teacherForcedLogits(full.get(c)), id);
                JsonNode top5 = cs.path("top5_all");
                for (int i = 0; i < top5.size(); i++) {
                    Map<Integer, Logprob> entry = got.get(promptLen + i);
                    for (int j = 0; j < 5; j++) {
                        JsonNode want = top5.get(i).get(j);
                        Logprob lp = entry.get(want.get(0).asInt());
                        assertNotNull(lp, id + " pos " + i + ": llama.cpp's top-" + (j + 1) + " token");
                        assertEquals(j + 1, lp.rank(), id + " pos " + i + " rank");
                        assertEquals(want.get(1).asDouble(), lp.logprob(), 1e-3, id + " pos " + i + " top " + (j + 1));
                    }
                }
                c++;
            }
            assertEquals(llm.engine().totalBlocks(), llm.engine().freeBlocks());
        }
    }
}
