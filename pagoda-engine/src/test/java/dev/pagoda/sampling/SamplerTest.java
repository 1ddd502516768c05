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

    @Test
    void greedyTakesTheArgmax() {
        Sampler sampler = new Sampler(LOGITS.length);
        assertEquals(5, sampler.sample(LOGITS, 0, params(0.0, 1.0, 0, 0), new SplittableRandom(1)));
        assertEquals(5, sampler.sample(LOGITS, 0, params(1.0, 1.0, 1, 0), new SplittableRandom(1)));
    }
}
