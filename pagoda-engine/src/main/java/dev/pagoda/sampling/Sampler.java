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
    private final double[] probs;
    private final long[] order;

    public Sampler(int vocab) {
        this.vocab = vocab;
        this.probs = new double[vocab];
        this.order = new long[vocab];
    }

    public int sample(float[] logits, int off, SamplingParams p, SplittableRandom rng) {
        if (p.greedy()) return VectorMath.argmax(logits, off, vocab);
        double invT = 1.0 / p.temperature();
        float max = logits[off + VectorMath.argmax(logits, off, vocab)];
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            probs[i] = Math.exp((logits[off + i] - (double) max) * invT);
            total += probs[i];
        }
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
        if (topK || topP) total = truncate(p, topK ? p.topK() : vocab, topP);
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

    /** Zeroes every token outside the top k and outside the top-p nucleus; returns the kept mass. */
    private double truncate(SamplingParams p, int k, boolean topP) {
        // Sort ids by probability, descending, ties by lower id: the key's high half is the
        // inverted bits of the probability as a float (monotonic for positive floats), the low half the id.
        int kept = 0;
        for (int i = 0; i < vocab; i++) {
            if (probs[i] > 0) order[kept++] = (long) ~Float.floatToRawIntBits((float) probs[i]) << 32 | i;
        }
        Arrays.sort(order, 0, kept);
        double mass = 0;
        for (int r = 0; r < kept; r++) mass += probs[(int) (order[r] & 0xFFFFFFFFL)];
        int keep = Math.min(k, kept);
        if (topP) {
            // Nucleus: the smallest prefix whose mass reaches top_p of the (top-k) mass.
            double topKMass = 0;
            for (int r = 0; r < keep; r++) topKMass += probs[(int) (order[r] & 0xFFFFFFFFL)];
            double cumulative = 0;
            int r = 0;
            while (r < keep) {
                cumulative += probs[(int) (order[r] & 0xFFFFFFFFL)];
                r++;
                if (cumulative >= p.topP() * topKMass) break;
            }
            keep = r;
        }
        double total = 0;
        for (int r = 0; r < kept; r++) {
            int id = (int) (order[r] & 0xFFFFFFFFL);
            if (r < keep) total += probs[id];
            else probs[id] = 0;
        }
        return mass > 0 ? total : 0;
    }
}
