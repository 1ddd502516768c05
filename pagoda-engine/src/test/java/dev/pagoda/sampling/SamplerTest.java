package dev.pagoda.sampling;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler's distribution against probabilities computed exactly from given logits. */
class SamplerTest {
    static final float[] LOGITS = {2.0f, 1.0f, 0.5f, 0.0f, -1.0f, 3.0f, -2.0f, 1.5f};
    static final int DRAWS = 40_000;

    static SamplingParams params(double t, double topP, int topK, double minP) {
        return SamplingParams.builder().temperature(t).topP(topP).topK(topK).minP(minP).build()
                .withDefaults(dev.pagoda.config.GenerationConfig.EMPTY);
    }

    /** Exact target: softmax(logits / t), then min_p, top-k, top-p, renormalised. */
    static double[] expected(double t, double topP, int topK, double minP) {
        int n = LOGITS.length;
        double[] p = new double[n];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float l : LOGITS) max = Math.max(max, l);
        for (int i = 0; i < n; i++) sum += p[i] = Math.exp((LOGITS[i] - max) / t);
        for (int i = 0; i < n; i++) p[i] /= sum;
        double top = 0;
        for (double v : p) top = Math.max(top, v);
        for (int i = 0; i < n; i++) if (p[i] < minP * top) p[i] = 0;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        int k = topK > 0 ? Math.min(topK, n) : n;
        for (int r = k; r < n; r++) p[order[r]] = 0;
        double mass = 0;
        for (double v : p) mass += v;
        double cumulative = 0;
        boolean cut = false;
        for (int r = 0; r < n; r++) {
            if (cut) p[order[r]] = 0;
            cumulative += p[order[r]];
            if (cumulative >= topP * mass) cut = true;
        }
        double total = 0;
        for (double v : p) total += v;
        for (int i = 0; i < n; i++) p[i] /= total;
        return p;
    }

    static void assertDistribution(double t, double topP, int topK, double minP) {
        Sampler sampler = new Sampler(LOGITS.length);
        SamplingParams p = params(t, topP, topK, minP);
        SplittableRandom rng = new SplittableRandom(42);
        int[] counts = new int[LOGITS.length];
        for (int i = 0; i < DRAWS; i++) counts[sampler.sample(LOGITS, 0, p, rng)]++;
        double[] want = expected(t, topP, topK, minP);
        double chi2 = 0;
        int dof = -1;
        for (int i = 0; i < want.length; i++) {
            if (want[i] == 0) {
                assertEquals(0, counts[i], "token " + i + " must never be drawn");
                continue;
            }
            double e = want[i] * DRAWS;
            chi2 += (counts[i] - e) * (counts[i] - e) / e;
            dof++;
        }
        // 99.9% quantile of chi-square with up to 7 degrees of freedom is 24.3.
        assertTrue(chi2 < 24.3, "chi-square " + chi2 + " with " + dof + " dof for t=" + t + " top_p=" + topP + " top_k=" + topK + " min_p=" + minP);
    }

    @Test
    void temperatureAlone() {
        assertDistribution(1.0, 1.0, 0, 0);
        assertDistribution(0.5, 1.0, 0, 0);
        assertDistribution(2.0, 1.0, 0, 0);
    }

    @Test
    void truncations() {
        assertDistribution(1.0, 1.0, 3, 0);
        assertDistribution(1.0, 0.7, 0, 0);
        assertDistribution(1.0, 1.0, 0, 0.2);
        assertDistribution(0.8, 0.9, 4, 0.05);
    }

    /**
     * The definition, written plainly: relative probabilities exp((logit − max) / T) in float,
     * every token ranked by a full sort (probability as a float,
     * descending, ties by lower id), the top k kept, then the smallest prefix reaching top_p of
     * the (top-k) mass, then one draw over the kept tokens in id order.
     */
    static int referenceSample(float[] logits, SamplingParams p, SplittableRandom rng) {
        int vocab = logits.length;
        float max = logits[0];
        for (float l : logits) max = Math.max(max, l);
        double[] probs = new double[vocab];
        double total = 0;
        float invT = (float) (1.0 / p.temperature());
        for (int i = 0; i < vocab; i++) total += probs[i] = dev.pagoda.kernel.VectorMath.exp((logits[i] - max) * invT);
        if (p.minP() > 0) {
            total = 0;
            for (int i = 0; i < vocab; i++) total += probs[i] = probs[i] < p.minP() ? 0 : probs[i];
        }
        Integer[] ranked = java.util.stream.IntStream.range(0, vocab).filter(i -> probs[i] > 0).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(ranked, (a, b) -> (float) probs[a] != (float) probs[b] ? Float.compare((float) probs[b], (float) probs[a]) : a - b);
        int keep = p.topK() > 0 ? Math.min(p.topK(), ranked.length) : ranked.length;
        if (p.topP() < 1) {
            double reference = 0;
            if (p.topK() > 0 && p.topK() < vocab) for (int r = 0; r < keep; r++) reference += probs[ranked[r]];
            else reference = total;
            double cumulative = 0;
            int r = 0;
            while (r < keep && cumulative < p.topP() * reference) cumulative += probs[ranked[r++]];
            keep = r;
        }
        double[] kept = new double[vocab];
        double keptMass = 0;
        for (int r = 0; r < keep; r++) keptMass += kept[ranked[r]] = probs[ranked[r]];
        double u = rng.nextDouble() * keptMass, cumulative = 0;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            if (kept[i] == 0) continue;
            cumulative += kept[i];
            last = i;
            if (u < cumulative) return i;
        }
        return last;
    }

    /**
     * On a vocabulary-sized row the sampler sorts only the tokens that can be kept; every draw
     * must still be the definition's, for peaked rows (the nucleus in a few tokens), flat ones
     * (every token a candidate), rows with tied probabilities, and rows whose top-k or nucleus
     * reaches past the first candidates.
     */
    @Test
    void truncatingALargeVocabularyDrawsAsTheFullRanking() {
        int vocab = 50_000;
        SplittableRandom rnd = new SplittableRandom(9);
        // shelf: three tokens far ahead of a long tail of equal ones, each below the first
        // threshold, that together hold most of the mass (the nucleus and a top-k reach into it).
        float[] peaked = new float[vocab], flat = new float[vocab], tied = new float[vocab], shelf = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            peaked[i] = (float) rnd.nextGaussian() * 2;
            flat[i] = (float) rnd.nextGaussian() * 0.01f;
            tied[i] = rnd.nextInt(6);
        }
        for (int i = 0; i < 20; i++) peaked[rnd.nextInt(vocab)] += 14;
        for (int i = 0; i < 3; i++) shelf[rnd.nextInt(vocab)] = 8;
        Sampler sampler = new Sampler(vocab);
        for (float[] logits : new float[][]{peaked, flat, tied, shelf}) {
            for (SamplingParams p : new SamplingParams[]{params(0.8, 0.9, 0, 0), params(1.0, 0.5, 0, 0), params(0.7, 1.0, 50, 0),
                    params(1.0, 1.0, 3000, 0), params(0.8, 0.95, 40, 0), params(1.5, 0.99, 0, 0.001)}) {
                for (int seed = 0; seed < 10; seed++) {
                    int expected = referenceSample(logits, p, new SplittableRandom(seed));
                    assertEquals(expected, sampler.sample(logits, 0, p, new SplittableRandom(seed)),
                            "seed " + seed + ", t=" + p.temperature() + " top_p=" + p.topP() + " top_k=" + p.topK() + " min_p=" + p.minP());
                }
            }
        }
    }

    @Test
    void greedyTakesTheArgmax() {
        Sampler sampler = new Sampler(LOGITS.length);
        assertEquals(5, sampler.sample(LOGITS, 0, params(0.0, 1.0, 0, 0), new SplittableRandom(1)));
        assertEquals(5, sampler.sample(LOGITS, 0, params(1.0, 1.0, 1, 0), new SplittableRandom(1)));
    }
}
