package dev.pagoda.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.testutil.Shared;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The offline API on the bundled model, against llama.cpp's reference where one exists. */
class LLMTest {
    static final JsonNode REF = Shared.json("reference/stories260K-llamacpp.json");
    static LLM llm;

    @BeforeAll
    static void load() {
        llm = new LLM(args(64L << 20, 16));
    }

    @AfterAll
    static void close() {
        llm.close();
    }

    static EngineArgs args(long kvBytes, int blockSize) {
        EngineArgs a = new EngineArgs().model(Shared.path("models/stories260K/stories260K.gguf"));
        a.kvCacheMemory = kvBytes;
        a.blockSize = blockSize;
        a.maxNumSeqs = 16;
        a.maxModelLen = 512;
        a.maxNumBatchedTokens = 512;
        return a;
    }

    static SamplingParams greedy(int maxTokens) {
        return SamplingParams.builder().temperature(0.0).maxTokens(maxTokens).build();
    }

    static int[] ids(JsonNode a) {
        return java.util.stream.StreamSupport.stream(a.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    @Test
    void textPromptMatchesLlamaCpp() {
        JsonNode c = REF.path("cases").get(0);
        RequestOutput out = llm.generate(c.path("prompt").asText(), greedy(48));
        assertArrayEquals(ids(c.path("prompt_token_ids")), out.promptTokenIds());
        assertArrayEquals(ids(c.path("completion_token_ids")), out.outputs().getFirst().tokenIds());
        assertEquals(c.path("completion_text").asText(), out.outputs().getFirst().text());
        assertEquals(FinishReason.LENGTH, out.outputs().getFirst().finishReason());
        assertTrue(out.metrics().firstTokenTime() >= out.metrics().arrivalTime());
        assertTrue(out.metrics().finishedTime() >= out.metrics().firstTokenTime());
    }

    @Test
    void batchedPromptsEachMatchTheirReference() {
        List<Prompt> prompts = new ArrayList<>();
        for (JsonNode c : REF.path("cases")) prompts.add(Prompt.tokens(ids(c.path("prompt_token_ids"))));
        List<RequestOutput> outs = llm.generatePrompts(prompts, greedy(48));
        for (int i = 0; i < outs.size(); i++) {
            JsonNode c = REF.path("cases").get(i);
            assertArrayEquals(ids(c.path("completion_token_ids")), outs.get(i).outputs().getFirst().tokenIds(), c.path("id").asText());
        }
        assertEquals(llm.engine().totalBlocks(), llm.engine().freeBlocks(), "every block is free again");
    }

    @Test
    void preemptionUnderATinyPoolDoesNotChangeGreedyOutput() {
        // 40 blocks of 16 tokens: the 435-token prompt alone needs 31, so the six requests cannot all run at once.
        try (LLM small = new LLM(args(40L * 16 * 1280, 16))) {
            List<Prompt> prompts = new ArrayList<>();
            for (JsonNode c : REF.path("cases")) prompts.add(Prompt.tokens(ids(c.path("prompt_token_ids"))));
            List<RequestOutput> outs = small.generatePrompts(prompts, greedy(48));
            for (int i = 0; i < outs.size(); i++) {
                assertArrayEquals(ids(REF.path("cases").get(i).path("completion_token_ids")), outs.get(i).outputs().getFirst().tokenIds());
            }
            assertTrue(small.engine().preemptions() > 0, "the pool was small enough to force preemption");
            assertEquals(small.engine().totalBlocks(), small.engine().freeBlocks());
        }
    }

    @Test
    void logprobsAreThoseOfTheRawLogits() {
        JsonNode c = REF.path("cases").get(1);
        SamplingParams p = SamplingParams.builder().temperature(0.0).maxTokens(8).logprobs(5).build();
        CompletionOutput out = llm.generatePrompts(List.of(Prompt.tokens(ids(c.path("prompt_token_ids")))), p).getFirst().outputs().getFirst();
        assertEquals(8, out.logprobs().size());
        double cumulative = 0;
        for (int pos = 0; pos < 8; pos++) {
            var step = out.logprobs().get(pos);
            int chosen = out.tokenIds()[pos];
            assertEquals(1, step.get(chosen).rank());
            assertEquals(c.path("chosen_logprobs").get(pos).asDouble(), step.get(chosen).logprob(), 1e-3);
            JsonNode top5 = c.path("top5_all").get(pos);
            for (int j = 0; j < 5; j++) {
                Logprob lp = step.get(top5.get(j).get(0).asInt());
                assertEquals(top5.get(j).get(1).asDouble(), lp.logprob(), 1e-3);
                assertEquals(j + 1, lp.rank());
            }
            cumulative += step.get(chosen).logprob();
        }
        assertEquals(cumulative, out.cumulativeLogprob(), 1e-4);
    }

    @Test
    void seedMakesSamplingReproducible() {
        SamplingParams seeded = SamplingParams.builder().temperature(1.0).maxTokens(32).seed(1234L).build();
        RequestOutput a = llm.generate("Lily and Ben", seeded);
        // the same seed batched with other requests gives the same tokens
        List<RequestOutput> batch = llm.generate(List.of("Once upon a time", "Lily and Ben", "The cat"), seeded);
        assertArrayEquals(a.outputs().getFirst().tokenIds(), batch.get(1).outputs().getFirst().tokenIds());
        RequestOutput other = llm.generate("Lily and Ben",
                SamplingParams.builder().temperature(1.0).maxTokens(32).seed(99L).build());
        assertFalse(Arrays.equals(a.outputs().getFirst().tokenIds(), other.outputs().getFirst().tokenIds()));
    }

    @Test
    void stopsOnEosUnlessIgnored() {
        // stories260K never emits its EOS (2), so this engine treats the 4th greedy token (" a") as EOS:
        // the EOS set is the generation config's ids ∪ the tokenizer's.
        int[] reference = ids(REF.path("cases").get(0).path("completion_token_ids"));
        int[] prompt = ids(REF.path("cases").get(0).path("prompt_token_ids"));
        var eos = new dev.pagoda.config.GenerationConfig(java.util.Set.of(reference[3]), null, null, null, null, null);
        try (var m = new dev.pagoda.testutil.TestModel(Shared.path("models/stories260K/stories260K.gguf"), null, 1, 16, 32, 64)) {
            LLMEngine engine = new LLMEngine(new DecoderRunner(m.decoder, m.cache), null, eos, 512, 4, 64, true);
            engine.addRequest("eos", null, prompt, greedy(48));
            engine.addRequest("ignored", null, prompt, SamplingParams.builder().temperature(0.0).maxTokens(10).ignoreEos(true).build());
            List<RequestOutput> outs = new ArrayList<>();
            while (engine.hasUnfinishedRequests()) engine.step().stream().filter(RequestOutput::finished).forEach(outs::add);
            outs.sort(java.util.Comparator.comparing(RequestOutput::requestId));
            CompletionOutput stopped = outs.get(0).outputs().getFirst();
            assertArrayEquals(Arrays.copyOf(reference, 4), stopped.tokenIds(), "EOS is kept in token_ids");
            assertEquals(FinishReason.STOP, stopped.finishReason());
            assertNull(stopped.stopReason(), "EOS leaves stop_reason unset");
            CompletionOutput ignored = outs.get(1).outputs().getFirst();
            assertArrayEquals(Arrays.copyOf(reference, 10), ignored.tokenIds());
            assertEquals(FinishReason.LENGTH, ignored.finishReason());
            assertEquals(engine.totalBlocks(), engine.freeBlocks());
        }
    }

    @Test
    void stopTokenIdsEndTheSequence() {
        int[] reference = ids(REF.path("cases").get(0).path("completion_token_ids"));
        SamplingParams p = SamplingParams.builder().temperature(0.0).maxTokens(48).stopTokenIds(List.of(reference[3])).build();
        CompletionOutput o = llm.generate("Once upon a time", p).outputs().getFirst();
        assertArrayEquals(Arrays.copyOf(reference, 4), o.tokenIds());
        assertEquals(FinishReason.STOP, o.finishReason());
        assertEquals(reference[3], o.stopReason());
    }

    @Test
    void nSamplesSeveralSequences() {
        RequestOutput out = llm.generate("Once upon a time",
                SamplingParams.builder().n(3).temperature(0.8).maxTokens(10).seed(5L).build());
        assertEquals(3, out.outputs().size());
        assertNotEquals(out.outputs().get(0).text(), out.outputs().get(1).text() + out.outputs().get(2).text());
    }

    @Test
    void invalidRequestsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topP(0.0).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().temperature(-1.0).build());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().n(2).temperature(0.0).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> llm.generatePrompts(List.of(Prompt.tokens(new int[600])), greedy(4)));
        assertTrue(e.getMessage().contains("600 tokens") && e.getMessage().contains("512"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> llm.generatePrompts(List.of(Prompt.tokens(1, 9999)), greedy(4)));
    }

    @Test
    void structuredOutputThroughTheOfflineApi() {
        var choice = new dev.pagoda.sampling.guided.GuidedSpec.Choice(List.of("a red ball", "a big dog", "Lily"));
        List<SamplingParams> params = new ArrayList<>();
        for (long seed = 0; seed < 6; seed++) {
            params.add(SamplingParams.builder().temperature(1.0).seed(seed).maxTokens(20).guided(choice).build());
        }
        List<RequestOutput> outs = llm.generatePrompts(java.util.Collections.nCopies(6, Prompt.text("She saw")), params);
        for (RequestOutput o : outs) {
            CompletionOutput c = o.outputs().getFirst();
            assertTrue(choice.choices().contains(c.text()), "[" + c.text() + "]");
            assertEquals(FinishReason.STOP, c.finishReason());
        }
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().guided(choice).ignoreEos(true).build());
    }
}
