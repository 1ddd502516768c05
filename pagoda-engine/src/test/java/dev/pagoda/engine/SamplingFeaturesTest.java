package dev.pagoda.engine;

import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.sampling.SamplingParams.EarlyStopping;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** n, best_of, beam search, stop strings, min_tokens and the other request fields, on the bundled model. */
class SamplingFeaturesTest {
    static final String PROMPT = "Once upon a time";
    static LLM llm;
    static int vocab;
    static Set<Integer> eos;

    @BeforeAll
    static void load() {
        llm = new LLM(LLMTest.args(64L << 20, 16)).showProgress(false);
        vocab = llm.modelConfig().vocabSize();
        eos = llm.tokenizer().eosTokenIds();
    }

    @AfterAll
    static void close() {
        llm.close();
    }

    static SamplingParams.Builder sampled(long seed, int maxTokens) {
        return SamplingParams.builder().temperature(1.0).topP(1.0).topK(0).minP(0.0).seed(seed).maxTokens(maxTokens);
    }

    // ---- beam search against a brute force written here -------------------------------------

    /** A beam of the brute force: all tokens (prompt first) and the sum of its tokens' log-probabilities. */
    record Beam(int[] tokens, double cumulative, boolean finished) {
    }

    /** The full next-token log-probability row after each sequence, from the engine's raw-logit log-probabilities. */
    static List<float[]> nextLogprobs(List<int[]> seqs) {
        List<Prompt> prompts = seqs.stream().map(Prompt::tokens).toList();
        SamplingParams all = SamplingParams.builder().temperature(0.0).maxTokens(1).logprobs(vocab).ignoreEos(true).build();
        List<float[]> rows = new ArrayList<>();
        for (RequestOutput o : llm.generatePrompts(prompts, all)) {
            float[] row = new float[vocab];
            o.outputs().getFirst().logprobs().getFirst().forEach((id, lp) -> row[id] = lp.logprob());
            rows.add(row);
        }
        return rows;
    }

    static double score(Beam b, double lengthPenalty) {
        int len = b.tokens.length;
        if (eos.contains(b.tokens[len - 1])) len--;
        return b.cumulative / Math.pow(len, lengthPenalty);
    }

    /**
     * vLLM's beam search, brute force: every beam extended by every token of the vocabulary, the
     * best 2 × width continuations by cumulative log-probability kept (ties: beam order, then
     * token order), the ended ones merged into the finished beams (best width by score kept), the
     * running ones ranked by score; stop when none runs, or, once width beams have finished, by
     * the early_stopping rule; else the best width running beams go on.
     */
    static List<Beam> bruteForce(int[] prompt, int width, int n, int maxTokens, double lp, EarlyStopping es, List<Integer> stopIds) {
        List<Beam> beams = List.of(new Beam(prompt, 0, false));
        List<Beam> finished = new ArrayList<>();
        Comparator<Beam> byScore = Comparator.comparingDouble((Beam b) -> score(b, lp)).reversed();
        while (true) {
            List<float[]> rows = nextLogprobs(beams.stream().map(Beam::tokens).toList());
            List<Beam> all = new ArrayList<>();
            for (int b = 0; b < beams.size(); b++) {
                for (int t = 0; t < vocab; t++) {
                    int[] tokens = Arrays.copyOf(beams.get(b).tokens, beams.get(b).tokens.length + 1);
                    tokens[tokens.length - 1] = t;
                    boolean ended = eos.contains(t) || stopIds.contains(t) || tokens.length - prompt.length >= maxTokens;
                    all.add(new Beam(tokens, beams.get(b).cumulative + rows.get(b)[t], ended));
                }
            }
            all.sort(Comparator.comparingDouble(Beam::cumulative).reversed());
            List<Beam> kept = all.subList(0, 2 * width);
            kept.stream().filter(Beam::finished).forEach(finished::add);
            finished.sort(byScore);
            if (finished.size() > width) finished = new ArrayList<>(finished.subList(0, width));
            List<Beam> running = new ArrayList<>(kept.stream().filter(b -> !b.finished).toList());
            running.sort(byScore);
            boolean stop = running.isEmpty();
            if (!stop && finished.size() >= width) {
                double worst = score(finished.get(width - 1), lp);
                Beam best = running.getFirst();
                stop = switch (es) {
                    case TRUE -> true;
                    case FALSE -> worst >= score(best, lp);
                    case NEVER -> lp > 0
                            ? worst >= best.cumulative / Math.pow(Math.max(prompt.length + maxTokens, llm.maxModelLen()), lp)
                            : worst >= score(best, lp);
                };
            }
            if (stop) return finished.subList(0, Math.min(n, finished.size()));
            beams = running.subList(0, Math.min(width, running.size()));
        }
    }

    @Test
    void beamSearchEqualsBruteForce() {
        int[] prompt = llm.tokenizer().encode(PROMPT, true);
        int period = llm.tokenizer().encode("Lily.", false)[llm.tokenizer().encode("Lily.", false).length - 1];
        int checked = 0;
        for (int width = 2; width <= 4; width++) {
            for (int maxTokens : new int[]{1, 3, 6}) {
                for (double lp : new double[]{1.0, 0.0, 2.0, -0.5}) {
                    for (EarlyStopping es : EarlyStopping.values()) {
                        List<Integer> stops = (width + maxTokens) % 2 == 0 ? List.of(period) : List.of();
                        int n = width == 2 ? 2 : width - 1;
                        List<Beam> want = bruteForce(prompt, width, n, maxTokens, lp, es, stops);
                        SamplingParams p = SamplingParams.builder().useBeamSearch(true).n(n).bestOf(width).maxTokens(maxTokens)
                                .lengthPenalty(lp).earlyStopping(es).stopTokenIds(stops).build();
                        RequestOutput got = llm.generatePrompts(List.of(Prompt.tokens(prompt)), p).getFirst();
                        String what = "width " + width + " max_tokens " + maxTokens + " length_penalty " + lp + " " + es + " stops " + stops;
                        assertEquals(want.size(), got.outputs().size(), what);
                        for (int i = 0; i < want.size(); i++) {
                            int[] wantOut = Arrays.copyOfRange(want.get(i).tokens, prompt.length, want.get(i).tokens.length);
                            assertArrayEquals(wantOut, got.outputs().get(i).tokenIds(), what + " beam " + i);
                            assertEquals(want.get(i).cumulative, got.outputs().get(i).cumulativeLogprob(), 1e-9, what + " beam " + i);
                            assertEquals(i, got.outputs().get(i).index());
                        }
                        checked++;
                    }
                }
            }
        }
        assertEquals(108, checked);
        assertEquals(llm.engine().totalBlocks(), llm.engine().freeBlocks(), "every beam's blocks are free again");
    }

    @Test
    void beamSearchEndsOnEosWhenTheModelEndsTheStory() {
        // A biased EOS (its raw logit is far below the rest here) makes beams end early, exercising the finished-beam rules with the EOS length rule.
        int[] prompt = llm.tokenizer().encode(PROMPT, true);
        int eosId = eos.iterator().next();
        SamplingParams p = SamplingParams.builder().useBeamSearch(true).n(3).bestOf(3).maxTokens(6)
                .logitBias(Map.of(eosId, 100.0)).build();
        RequestOutput got = llm.generatePrompts(List.of(Prompt.tokens(prompt)), p).getFirst();
        assertTrue(got.outputs().stream().anyMatch(o -> o.finishReason() == FinishReason.STOP), () -> "some beam ends on EOS "
                + eosId + ": " + got.outputs().stream().map(o -> Arrays.toString(o.tokenIds()) + " " + o.finishReason()).toList());
        for (int i = 1; i < got.outputs().size(); i++) {
            assertTrue(beamScore(got.outputs().get(i - 1), prompt.length) >= beamScore(got.outputs().get(i), prompt.length), "best first");
        }
    }

    static double beamScore(CompletionOutput o, int promptLength) {
        int len = promptLength + o.tokenIds().length;
        if (o.tokenIds().length > 0 && eos.contains(o.tokenIds()[o.tokenIds().length - 1])) len--;
        return o.cumulativeLogprob() / len;
    }

    // ---- best_of ------------------------------------------------------------------------------

    @Test
    void bestOfReturnsTheCandidatesWithTheHighestCumulativeLogprob() {
        for (long seed = 1; seed <= 5; seed++) {
            // n = 6 returns every candidate; best_of = 6 with n = 2 draws the same six (same seed) and keeps two.
            RequestOutput all = llm.generate(PROMPT, sampled(seed, 12).n(6).logprobs(0).build());
            RequestOutput best = llm.generate(PROMPT, sampled(seed, 12).n(2).bestOf(6).build());
            List<CompletionOutput> ranked = new ArrayList<>(all.outputs());
            ranked.sort(Comparator.comparingDouble(CompletionOutput::cumulativeLogprob).reversed());
            assertEquals(2, best.outputs().size());
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(ranked.get(i).tokenIds(), best.outputs().get(i).tokenIds(), "seed " + seed + " rank " + i);
                assertEquals(ranked.get(i).cumulativeLogprob(), best.outputs().get(i).cumulativeLogprob(), 0.0);
                assertEquals(i, best.outputs().get(i).index());
            }
        }
    }

    // ---- stop strings, min_tokens, skip_special_tokens, truncation -------------------------------

    @Test
    void stopStringsCutTheTextInTheEngine() {
        RequestOutput plain = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(40).build());
        String text = plain.outputs().getFirst().text();
        String stop = text.substring(10, 14);
        int at = text.indexOf(stop);
        CompletionOutput cut = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(40).stop(List.of(stop)).build())
                .outputs().getFirst();
        assertEquals(text.substring(0, at), cut.text());
        assertEquals(FinishReason.STOP, cut.finishReason());
        assertEquals(stop, cut.stopReason());
        CompletionOutput kept = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(40).stop(List.of(stop))
                .includeStopStrInOutput(true).build()).outputs().getFirst();
        assertEquals(text.substring(0, at + stop.length()), kept.text());
        assertArrayEquals(cut.tokenIds(), kept.tokenIds());
        // The tokens end with the one that completed the match.
        String upTo = llm.tokenizer().decode(cut.tokenIds(), true);
        assertTrue(upTo.contains(stop) && !llm.tokenizer().decode(Arrays.copyOf(cut.tokenIds(), cut.tokenIds().length - 1), true).contains(stop));
    }

    @Test
    void minTokensDelaysEosAndStopStrings() {
        int eosId = eos.iterator().next();
        // A huge EOS bias ends at once, unless min_tokens bans EOS for the first 5 tokens.
        CompletionOutput early = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(20)
                .logitBias(Map.of(eosId, 100.0)).build()).outputs().getFirst();
        assertEquals(1, early.tokenIds().length);
        CompletionOutput late = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(20)
                .logitBias(Map.of(eosId, 100.0)).minTokens(5).build()).outputs().getFirst();
        assertEquals(6, late.tokenIds().length);
        assertEquals(FinishReason.STOP, late.finishReason());
        // A stop string in the first tokens is not checked before min_tokens.
        String text = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(12).build()).outputs().getFirst().text();
        String first = text.substring(0, 3);
        CompletionOutput s = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(12).stop(List.of(first))
                .minTokens(12).build()).outputs().getFirst();
        assertEquals(FinishReason.LENGTH, s.finishReason());
    }

    @Test
    void skipSpecialTokensFalseKeepsThemInTheText() {
        int eosId = eos.iterator().next();
        String eosText = llm.tokenizer().decode(new int[]{eosId}, false);
        SamplingParams.Builder b = SamplingParams.builder().temperature(0.0).maxTokens(3).ignoreEos(true).allowedTokenIds(List.of(eosId));
        assertEquals("", llm.generate(PROMPT, b.build()).outputs().getFirst().text());
        assertEquals(eosText.repeat(3), llm.generate(PROMPT, b.skipSpecialTokens(false).build()).outputs().getFirst().text());
    }

    @Test
    void truncatePromptTokensKeepsTheLastTokens() {
        int[] prompt = llm.tokenizer().encode(PROMPT, true);
        RequestOutput o = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(4).truncatePromptTokens(3).build());
        assertArrayEquals(Arrays.copyOfRange(prompt, prompt.length - 3, prompt.length), o.promptTokenIds());
        RequestOutput direct = llm.generatePrompts(List.of(Prompt.tokens(Arrays.copyOfRange(prompt, prompt.length - 3, prompt.length))),
                SamplingParams.builder().temperature(0.0).maxTokens(4).build()).getFirst();
        assertArrayEquals(direct.outputs().getFirst().tokenIds(), o.outputs().getFirst().tokenIds());
    }

    @Test
    void badWordsAreNeverCompleted() {
        String text = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(40).build()).outputs().getFirst().text();
        String word = Arrays.stream(text.trim().split("\\W+")).filter(w -> w.length() > 2).findFirst().orElseThrow();
        String banned = llm.generate(PROMPT, SamplingParams.builder().temperature(0.0).maxTokens(40).badWords(List.of(word)).build())
                .outputs().getFirst().text();
        assertTrue(text.contains(word));
        assertFalse(banned.contains(" " + word) || banned.startsWith(word), word + " in " + banned);
    }

    // ---- a mixed batch ----------------------------------------------------------------------------

    @Test
    void aMixedBatchGivesEachRequestItsResultAlone() {
        int eosId = eos.iterator().next();
        List<SamplingParams> params = List.of(
                SamplingParams.builder().temperature(0.0).maxTokens(20).build(),
                sampled(11, 20).presencePenalty(1.2).frequencyPenalty(0.7).build(),
                sampled(12, 20).repetitionPenalty(1.5).topK(20).topP(0.9).minP(0.05).temperature(0.8).build(),
                sampled(13, 20).logitBias(Map.of(eosId, -100.0, 400, 5.0)).minTokens(10).build(),
                sampled(14, 16).n(3).build(),
                sampled(15, 16).n(2).bestOf(4).build(),
                SamplingParams.builder().useBeamSearch(true).n(2).bestOf(3).maxTokens(8).lengthPenalty(0.7).build(),
                SamplingParams.builder().temperature(0.0).maxTokens(30).stop(List.of("the")).repetitionPenalty(1.3).build(),
                sampled(16, 20).allowedTokenIds(List.of(400, 401, 402, 403, 404, 405, 406, 407)).build());
        List<Prompt> prompts = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) prompts.add(Prompt.text(i % 2 == 0 ? PROMPT : "Tom had a dog"));
        List<RequestOutput> together = llm.generatePrompts(prompts, params);
        for (int i = 0; i < params.size(); i++) {
            RequestOutput alone = llm.generatePrompts(List.of(prompts.get(i)), List.of(params.get(i))).getFirst();
            assertEquals(alone.outputs().size(), together.get(i).outputs().size(), "request " + i);
            for (int j = 0; j < alone.outputs().size(); j++) {
                assertArrayEquals(alone.outputs().get(j).tokenIds(), together.get(i).outputs().get(j).tokenIds(), "request " + i + " output " + j);
                assertEquals(alone.outputs().get(j).text(), together.get(i).outputs().get(j).text());
            }
        }
        assertEquals(llm.engine().totalBlocks(), llm.engine().freeBlocks());
    }
}
