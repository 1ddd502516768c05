package dev.pagoda.sampling;

import dev.pagoda.kernel.VectorMath;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of raw logits: greedy (argmax, lowest id on ties), or
 * random with vLLM's order of transforms: temperature, then min_p, then top-k and top-p.
 * Holds scratch buffers sized to the vocabulary; not thread-safe (one per engine thread).
 */
public final class Sampler {
    private final int vocab;
    private final float[] probs;
    private final long[] order;

    public Sampler(int vocab) {
        this.vocab = vocab;
        this.probs = new float[vocab];
        this.order = new long[vocab];
    }

    public int sample(float[] logits, int off, SamplingParams p, SplittableRandom rng) {
        if (p.greedy()) return VectorMath.argmax(logits, off, vocab);
        // Relative probabilities exp((logit − max) / T), the top token's 1, in float on vectors
        // (VectorMath.exp, about an ulp): a draw on 152k logits took 0.29 ms this way, 0.84 ms
        // with Math.exp in double (bench/harness/SamplerCost.java).
        // The probabilities stay in float; every sum of them runs in double.
        float max = logits[off + VectorMath.argmax(logits, off, vocab)];
        VectorMath.scaledExp(logits, off, vocab, max, (float) (1.0 / p.temperature()), probs);
        double total = 0;
        for (int i = 0; i < vocab; i++) total += probs[i];
        if (p.minP() > 0) {
            // min_p keeps tokens whose probability is at least min_p times the top token's (which is exp(0) = 1 here).
            total = 0;
            for (int i = 0; i < vocab; i++) {
                if (probs[i] < p.minP()) probs[i] = 0;
                total += probs[i];
            }
        }
        boolean topK = p.topK() > 0 && p.topK() < vocab;
        boolean topP = p.topP() < 1.0;
        if (topK || topP) total = truncate(p, topK ? p.topK() : vocab, topP, total);
        double u = rng.nextDouble() * total;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            if (probs[i] == 0) continue;
            cumulative += probs[i];
            last = i;
            if (u < cumulative) return i;
        }
        return last; // u landed on the rounding error past the last kept token
    }

    /**
     * Zeroes every token outside the top k and outside the top-p nucleus; returns the kept mass.
     * {@code total} is the mass of all tokens (the nucleus's reference when there is no top-k).
     *
     * <p>The tokens are ranked by probability, descending, ties by lower id, but only those that
     * can be kept are sorted: the candidates whose probability is at least a threshold — a prefix
     * of the ranking — with the threshold lowered 1024-fold until they hold the top k, or (top-p
     * alone) reach the nucleus. Sorting a whole 152k vocabulary took ~10 ms per token; real
     * distributions put the nucleus in a few hundred tokens.
     */
    private double truncate(SamplingParams p, int k, boolean topP, double total) {
        boolean topK = k < vocab;
        for (float threshold = FIRST_THRESHOLD; ; threshold *= THRESHOLD_STEP) {
            boolean everyToken = threshold < Float.MIN_NORMAL; // candidates: every token with a probability
            // The sort key's high half is the inverted bits of the probability (monotonic for
            // positive floats), the low half the id.
            int candidates = 0;
            for (int i = 0; i < vocab; i++) {
                float f = probs[i];
                if (f > 0 && (everyToken || f >= threshold)) order[candidates++] = (long) ~Float.floatToRawIntBits(f) << 32 | i;
            }
            if (topK && candidates < k && !everyToken) continue;
            Arrays.sort(order, 0, candidates);
            int keep = Math.min(k, candidates);
            if (topP) {
                // Nucleus: the smallest prefix whose mass reaches top_p of the (top-k) mass.
                double reference = total;
                if (topK) {
                    reference = 0;
                    for (int r = 0; r < keep; r++) reference += probs[id(r)];
                }
                double cumulative = 0;
                int r = 0;
                while (r < keep && cumulative < p.topP() * reference) cumulative += probs[id(r++)];
                if (cumulative < p.topP() * reference && keep == candidates && !everyToken) continue;
                keep = r;
            }
            double kept = 0;
            for (int r = 0; r < candidates; r++) {
                if (r < keep) kept += probs[id(r)];
                else probs[id(r)] = 0;
            }
            if (!everyToken) {
                for (int i = 0; i < vocab; i++) if (probs[i] < threshold) probs[i] = 0;
            }
            return kept;
        }
    }

    /** The first threshold (the top token's probability is 1) and the factor it is lowered by. */
    private static final float FIRST_THRESHOLD = 0x1p-10f, THRESHOLD_STEP = 0x1p-10f;

    /** The token id of rank r in {@link #order}. */
    private int id(int r) {
        return (int) (order[r] & 0xFFFFFFFFL);
    }
}
