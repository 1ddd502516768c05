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
     * the (top-k) mass, then one draw over the kept tokens in id order, by chunks of 64 ids (the
     * first chunk whose cumulative sum passes u, then the first token in it that does).
     */
    static int referenceSample(float[] logits, SamplingParams p, SplittableRandom rng) {
        int vocab = logits.length;
        float max = logits[0];
        for (float l : logits) max = Math.max(max, l);
        float[] probs = new float[vocab];
        float invT = (float) (1.0 / p.temperature());
        for (int i = 0; i < vocab; i++) probs[i] = dev.pagoda.kernel.VectorMath.exp((logits[i] - max) * invT);
        if (p.minP() > 0) for (int i = 0; i < vocab; i++) if (probs[i] < p.minP()) probs[i] = 0;
        Integer[] ranked = java.util.stream.IntStream.range(0, vocab).filter(i -> probs[i] > 0).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(ranked, (a, b) -> probs[a] != probs[b] ? Float.compare(probs[b], probs[a]) : a - b);
        int keep = p.topK() > 0 ? Math.min(p.topK(), ranked.length) : ranked.length;
        if (p.topP() < 1) {
            double reference = 0;
            if (p.topK() > 0 && p.topK() < vocab) for (int r = 0; r < keep; r++) reference += probs[ranked[r]];
            else reference = chunkedSum(probs, null);
            double cumulative = 0;
            int r = 0;
            while (r < keep && cumulative < p.topP() * reference) cumulative += probs[ranked[r++]];
            keep = r;
        }
        float[] kept = new float[vocab];
        for (int r = 0; r < keep; r++) kept[ranked[r]] = probs[ranked[r]];
        double[] chunks = new double[(vocab + 63) / 64];
        double u = rng.nextDouble() * chunkedSum(kept, chunks), before = 0;
        int lastChunk = -1;
        for (int c = 0; c < chunks.length; c++) {
            if (chunks[c] == 0) continue;
            lastChunk = c;
            if (u < before + chunks[c]) return firstPast(kept, c, u, before);
            before += chunks[c];
        }
        return firstPast(kept, lastChunk, Double.POSITIVE_INFINITY, before);
    }

    /** Sum of p in chunks of 64 ids, each as four running sums (index mod 4) joined (s0 + s1) + (s2 + s3), chunks in order. */
    private static double chunkedSum(float[] p, double[] chunks) {
        double total = 0;
        for (int c = 0; c * 64 < p.length; c++) {
            double[] s = new double[4];
            int to = Math.min(p.length, c * 64 + 64), whole = c * 64 + (to - c * 64) / 4 * 4;
            for (int i = c * 64; i < to; i++) s[i < whole ? (i - c * 64) % 4 : 0] += p[i];
            double sum = (s[0] + s[1]) + (s[2] + s[3]);
            if (chunks != null) chunks[c] = sum;
            total += sum;
        }
        return total;
    }

    /** In chunk c, the first id whose running sum from {@code before} passes u, else the chunk's last with a probability. */
    private static int firstPast(float[] p, int c, double u, double before) {
        int last = -1;
        for (int i = c * 64; i < Math.min(p.length, c * 64 + 64); i++) {
            if (p[i] == 0) continue;
            before += p[i];
            last = i;
            if (u < before) return i;
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

    /**
     * Tokens below the candidates' threshold that share a 64-id chunk with a kept token must not
     * count: here token 0 is the only one kept (top-k 1, or a small nucleus), and the 63 others of
     * its chunk each hold just under the first threshold (2^-10 of its probability), 5% together.
     */
    @Test
    void tokensBesideAKeptOneInItsChunkAreNotDrawn() {
        int vocab = 4096;
        float[] logits = new float[vocab];
        java.util.Arrays.fill(logits, -30f);
        logits[0] = 0f;
        for (int i = 1; i < 64; i++) logits[i] = (float) Math.log(0.0009);
        Sampler sampler = new Sampler(vocab);
        for (SamplingParams p : new SamplingParams[]{params(1.0, 1.0, 1, 0), params(1.0, 0.5, 0, 0)}) {
            for (int seed = 0; seed < 200; seed++) {
                assertEquals(0, sampler.sample(logits, 0, p, new SplittableRandom(seed)), "seed " + seed + ", top_p=" + p.topP() + " top_k=" + p.topK());
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
