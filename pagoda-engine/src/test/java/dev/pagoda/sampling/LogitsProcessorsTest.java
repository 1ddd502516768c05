package dev.pagoda.sampling;

import dev.pagoda.config.GenerationConfig;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The logits processors and the sampler together, against distributions computed exactly here
 * from the given logits with vLLM's formulas (written independently of the processors): each
 * processor alone, then all of them with temperature, top-k, top-p and min-p.
 */
class LogitsProcessorsTest {
    static final float[] LOGITS = {2.0f, 1.0f, 0.5f, 0.0f, -1.0f, 3.0f, -2.0f, 1.5f};
    static final int V = LOGITS.length;
    static final int EOS = 7;
    /** Prompt [3, 3, 4], output so far [0, 0, 5, 1]. */
    static final History SEQ = new History(new int[]{3, 3, 4, 0, 0, 5, 1}, 3);
    static final int DRAWS = 40_000;

    record History(int[] tokens, int promptLength) implements TokenHistory {
        public int length() {
            return tokens.length;
        }

        public int token(int i) {
            return tokens[i];
        }
    }

    static SamplingParams.Builder base() {
        return SamplingParams.builder().temperature(1.0).topP(1.0).topK(0).minP(0.0).maxTokens(16);
    }

    /** vLLM's processing, written out: bans, min_tokens, bias, repetition, frequency, presence. */
    static double[] expectedLogits(SamplingParams p, History h) {
        double[] l = new double[V];
        for (int i = 0; i < V; i++) l[i] = LOGITS[i];
        if (p.allowedTokenIds() != null) {
            for (int i = 0; i < V; i++) if (!p.allowedTokenIds().contains(i)) l[i] = Double.NEGATIVE_INFINITY;
        }
        int outLen = h.length() - h.promptLength();
        if (outLen < p.minTokens()) {
            l[EOS] = Double.NEGATIVE_INFINITY;
            for (int id : p.stopTokenIds()) l[id] = Double.NEGATIVE_INFINITY;
        }
        for (Map.Entry<Integer, Double> e : p.logitBias().entrySet()) l[e.getKey()] += e.getValue();
        int[] outCount = new int[V];
        boolean[] seen = new boolean[V];
        for (int i = 0; i < h.length(); i++) {
            seen[h.token(i)] = true;
            if (i >= h.promptLength()) outCount[h.token(i)]++;
        }
        double rep = p.repetitionPenalty() == null ? 1 : p.repetitionPenalty();
        for (int i = 0; i < V; i++) {
            if (seen[i]) l[i] = l[i] > 0 ? l[i] / rep : l[i] * rep;
            l[i] -= p.frequencyPenalty() * outCount[i];
            if (outCount[i] > 0) l[i] -= p.presencePenalty();
        }
        return l;
    }

    /** softmax(l / t), then min_p, top-k, top-p (of the top-k mass), renormalised. */
    static double[] expectedProbs(double[] l, double t, double topP, int topK, double minP) {
        double[] p = new double[V];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : l) max = Math.max(max, v);
        for (int i = 0; i < V; i++) sum += p[i] = Math.exp((l[i] - max) / t);
        for (int i = 0; i < V; i++) p[i] /= sum;
        double top = Arrays.stream(p).max().orElseThrow();
        for (int i = 0; i < V; i++) if (p[i] < minP * top) p[i] = 0;
        Integer[] order = new Integer[V];
        for (int i = 0; i < V; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int k = topK > 0 ? Math.min(topK, V) : V;
        for (int r = k; r < V; r++) p[order[r]] = 0;
        double mass = Arrays.stream(p).sum(), cumulative = 0;
        boolean cut = false;
        for (int r = 0; r < V; r++) {
            if (cut) p[order[r]] = 0;
            cumulative += p[order[r]];
            if (cumulative >= topP * mass) cut = true;
        }
        double total = Arrays.stream(p).sum();
        for (int i = 0; i < V; i++) p[i] /= total;
        return p;
    }

    static void assertDistribution(SamplingParams.Builder b) {
        SamplingParams p = b.build().withDefaults(GenerationConfig.EMPTY);
        LogitsProcessors procs = LogitsProcessors.of(p, Set.of(EOS), null, V);
        Sampler sampler = new Sampler(V);
        SplittableRandom rng = new SplittableRandom(7);
        int[] counts = new int[V];
        float[] row = new float[V];
        for (int i = 0; i < DRAWS; i++) {
            System.arraycopy(LOGITS, 0, row, 0, V);
            procs.apply(row, 0, SEQ);
            counts[sampler.sample(row, 0, p, rng)]++;
        }
        double[] want = expectedProbs(expectedLogits(p, SEQ), p.temperature(), p.topP(), p.topK(), p.minP());
        double chi2 = 0;
        int dof = -1;
        for (int i = 0; i < V; i++) {
            if (want[i] == 0) {
                assertEquals(0, counts[i], "token " + i + " must never be drawn under " + p);
                continue;
            }
            double e = want[i] * DRAWS;
            chi2 += (counts[i] - e) * (counts[i] - e) / e;
            dof++;
        }
        // 99.9% quantile of chi-square with up to 7 degrees of freedom is 24.3.
        assertTrue(chi2 < 24.3, "chi-square " + chi2 + " with " + dof + " dof: counts " + Arrays.toString(counts)
                + " want " + Arrays.toString(want) + " for " + p);
    }

    @Test
    void eachProcessorAlone() {
        assertDistribution(base().presencePenalty(1.5));
        assertDistribution(base().presencePenalty(-1.0));
        assertDistribution(base().frequencyPenalty(0.8));
        assertDistribution(base().frequencyPenalty(-0.5));
        assertDistribution(base().repetitionPenalty(1.7));
        assertDistribution(base().repetitionPenalty(0.6));
        assertDistribution(base().logitBias(Map.of(6, 4.0, 5, -2.0)));
        assertDistribution(base().allowedTokenIds(List.of(1, 2, 6)));
        assertDistribution(base().allowedTokenIds(List.of(V - 1, 3, 0, 3))); // unsorted, repeated, both ends
        assertDistribution(base().minTokens(8).stopTokenIds(List.of(5)));
    }

    @Test
    void everythingCombined() {
        assertDistribution(base().temperature(0.8).topK(5).topP(0.9).minP(0.05)
                .presencePenalty(0.5).frequencyPenalty(0.3).repetitionPenalty(1.3).logitBias(Map.of(6, 3.0, 2, 1.0)));
        assertDistribution(base().temperature(1.5).topK(6).topP(0.8).minP(0.02)
                .presencePenalty(-0.4).frequencyPenalty(0.6).repetitionPenalty(0.8).logitBias(Map.of(4, 2.5))
                .minTokens(10).allowedTokenIds(List.of(0, 1, 2, 4, 5, 6, 7)));
    }

    @Test
    void greedyTakesTheArgmaxOfTheProcessedLogits() {
        // Raw argmax is 5 (3.0); the output has 5, 0 and 1, so a presence penalty of 2 leaves 5 at 1.0,
        // 0 at 0.0, 1 at -1.0, and 7 (1.5, not in the output) becomes the argmax.
        SamplingParams p = base().temperature(0.0).presencePenalty(2.0).build().withDefaults(GenerationConfig.EMPTY);
        float[] row = LOGITS.clone();
        LogitsProcessors.of(p, Set.of(EOS), null, V).apply(row, 0, SEQ);
        assertEquals(7, new Sampler(V).sample(row, 0, p, new SplittableRandom(1)));
    }

    @Test
    void neutralParametersAddNoProcessor() {
        SamplingParams p = base().presencePenalty(0).frequencyPenalty(0).repetitionPenalty(1.0).minTokens(0)
                .build().withDefaults(GenerationConfig.EMPTY);
        assertTrue(LogitsProcessors.of(p, Set.of(EOS), null, V).isEmpty());
    }

    @Test
    void minTokensBansStopsOnlyUntilReached() {
        SamplingParams p = base().minTokens(5).stopTokenIds(List.of(2)).build().withDefaults(GenerationConfig.EMPTY);
        LogitsProcessors procs = LogitsProcessors.of(p, Set.of(EOS), null, V);
        float[] row = LOGITS.clone();
        procs.apply(row, 0, SEQ); // 4 output tokens
        assertEquals(Float.NEGATIVE_INFINITY, row[EOS]);
        assertEquals(Float.NEGATIVE_INFINITY, row[2]);
        row = LOGITS.clone();
        procs.apply(row, 0, new History(new int[]{3, 3, 4, 0, 0, 5, 1, 1}, 3)); // 5 output tokens
        assertArrayEquals(LOGITS, row);
    }

    @Test
    void badWordsBanTheLastTokenAfterTheRestOfTheWord() {
        BadWords bw = new BadWords(List.of(new int[]{6}, new int[]{5, 1, 2}, new int[]{1, 4}, new int[]{3, 4, 0}));
        float[] row = LOGITS.clone();
        bw.apply(row, 0, SEQ); // output [0, 0, 5, 1]: ends with [5, 1] and [1]
        assertEquals(Float.NEGATIVE_INFINITY, row[6], "one-token words are always banned");
        assertEquals(Float.NEGATIVE_INFINITY, row[2], "[5, 1] is there: 2 would complete [5, 1, 2]");
        assertEquals(Float.NEGATIVE_INFINITY, row[4], "[1] is there: 4 would complete [1, 4]");
        assertEquals(LOGITS[0], row[0], "[3, 4] is only in the prompt, which does not count");
        assertEquals(LOGITS[1], row[1]);
    }

    @Test
    void logitBiasIsClamped() {
        SamplingParams p = base().logitBias(Map.of(1, 500.0, 2, -1e9)).build();
        assertEquals(100.0, p.logitBias().get(1));
        assertEquals(-100.0, p.logitBias().get(2));
    }

    @Test
    void outOfVocabularyIdsAreRefusedNamingTheField() {
        for (var b : List.of(base().logitBias(Map.of(8, 1.0)), base().allowedTokenIds(List.of(0, 9)), base().stopTokenIds(List.of(-1)))) {
            SamplingParams p = b.build().withDefaults(GenerationConfig.EMPTY);
            InvalidParameterException e = assertThrows(InvalidParameterException.class, () -> LogitsProcessors.of(p, Set.of(), null, V));
            assertTrue(e.getMessage().contains(e.field()), e.getMessage());
        }
    }
}
