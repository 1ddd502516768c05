package dev.pagoda.sampling;

import dev.pagoda.kernel.VectorMath;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from one row of raw logits: greedy (argmax, lowest id on ties), or
 * random with vLLM's order of transforms: temperature, then min_p, then top-k and top-p.
 * Holds scratch buffers sized to the vocabulary; not thread-safe (one per thread that draws).
 */
public final class Sampler {
    /** Tokens per chunk of {@link #chunkSums}. */
    private static final int CHUNK = 64;
    private final int vocab;
    /** The current row's relative probabilities (the top token's 1), zeroed where dropped. */
    private final float[] probs;
    /** The probabilities' sums per chunk of {@link #CHUNK} ids (see {@link #sumChunks}). */
    private final double[] chunkSums;
    private final long[] order;

    public Sampler(int vocab) {
        this.vocab = vocab;
        this.probs = new float[vocab];
        this.chunkSums = new double[(vocab + CHUNK - 1) / CHUNK];
        this.order = new long[vocab];
    }

    public int sample(float[] logits, int off, SamplingParams p, SplittableRandom rng) {
        if (p.greedy()) return VectorMath.argmax(logits, off, vocab);
        // Relative probabilities exp((logit − max) / T), the top token's 1, in float on vectors
        // (VectorMath.exp, about an ulp); every sum of them runs in double.
        float max = logits[off + VectorMath.argmax(logits, off, vocab)];
        VectorMath.scaledExp(logits, off, vocab, max, (float) (1.0 / p.temperature()), probs);
        if (p.minP() > 0) {
            // min_p keeps tokens whose probability is at least min_p times the top token's (which is exp(0) = 1 here).
            for (int i = 0; i < vocab; i++) if (probs[i] < p.minP()) probs[i] = 0;
        }
        boolean topK = p.topK() > 0 && p.topK() < vocab;
        boolean topP = p.topP() < 1.0;
        double total = topK || topP ? sumKeptChunks(truncate(p, topK ? p.topK() : vocab, topP)) : sumChunks();
        return draw(rng.nextDouble() * total);
    }

    /**
     * Fills {@link #chunkSums} and returns their sum, in chunk order ({@link #chunkSum}). One
     * running sum over the whole vocabulary waited on the add latency 152k times: a temperature
     * draw on Qwen's vocabulary took 0.29 ms with it, 0.18 ms by chunks
     * (bench/harness/SamplerCost.java).
     */
    private double sumChunks() {
        for (int c = 0; c < chunkSums.length; c++) chunkSums[c] = chunkSum(c);
        return chunkTotal();
    }

    /**
     * {@link #sumChunks} after {@link #truncate} kept the {@code kept} tokens of ranks [0, kept)
     * in {@link #order}: only their chunks can hold mass, so only those are summed (each as
     * {@link #sumChunks} would), unless the kept tokens outnumber the chunks.
     */
    private double sumKeptChunks(int kept) {
        if (kept > chunkSums.length) return sumChunks();
        Arrays.fill(chunkSums, 0);
        for (int r = 0; r < kept; r++) {
            int c = id(r) / CHUNK;
            if (chunkSums[c] == 0) chunkSums[c] = chunkSum(c);
        }
        return chunkTotal();
    }

    /** Chunk c's sum: four running sums (elements 4m + k to sum k), then (s0 + s1) + (s2 + s3). */
    private double chunkSum(int c) {
        int from = c * CHUNK, to = Math.min(vocab, from + CHUNK), i = from;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (; i + 4 <= to; i += 4) {
            s0 += probs[i];
            s1 += probs[i + 1];
            s2 += probs[i + 2];
            s3 += probs[i + 3];
        }
        for (; i < to; i++) s0 += probs[i];
        return (s0 + s1) + (s2 + s3);
    }

    private double chunkTotal() {
        double total = 0;
        for (double chunk : chunkSums) total += chunk;
        return total;
    }

    /**
     * The token at mass u (0 ≤ u < the total of {@link #sumChunks}) in id order: the first chunk
     * whose cumulative sum passes u, then the first token of it whose running sum (from the
     * chunks before) passes u. Where rounding leaves u past a chunk's last token, or past the
     * last chunk, the last token with a probability there is taken.
     */
    private int draw(double u) {
        double before = 0;
        int lastChunk = -1;
        for (int c = 0, from = 0; from < vocab; c++, from += CHUNK) {
            if (chunkSums[c] == 0) continue;
            lastChunk = c;
            if (u < before + chunkSums[c]) return drawInChunk(c, u, before);
            before += chunkSums[c];
        }
        return lastChunk < 0 ? -1 : drawInChunk(lastChunk, Double.POSITIVE_INFINITY, before);
    }

    private int drawInChunk(int c, double u, double before) {
        double cumulative = before;
        int last = -1;
        for (int i = c * CHUNK, to = Math.min(vocab, i + CHUNK); i < to; i++) {
            if (probs[i] == 0) continue;
            cumulative += probs[i];
            last = i;
            if (u < cumulative) return i;
        }
        return last;
    }

    /**
     * Zeroes every token outside the top k and outside the top-p nucleus; returns how many are
     * kept, their ranks [0, kept) in {@link #order}.
     *
     * <p>The tokens are ranked by probability, descending, ties by lower id, but only those that
     * can be kept are sorted: the candidates whose probability is at least a threshold — a prefix
     * of the ranking — with the threshold lowered 1024-fold until they hold the top k, or (top-p
     * alone) reach the nucleus. Sorting a whole 152k vocabulary took ~10 ms per token; real
     * distributions put the nucleus in a few hundred tokens.
     */
    private int truncate(SamplingParams p, int k, boolean topP) {
        boolean topK = k < vocab;
        double total = topP && !topK ? sumChunks() : 0; // the nucleus's reference without a top-k
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
            for (int r = keep; r < candidates; r++) probs[id(r)] = 0;
            if (!everyToken) {
                for (int i = 0; i < vocab; i++) if (probs[i] < threshold) probs[i] = 0;
            }
            return keep;
        }
    }

    /** The first threshold (the top token's probability is 1) and the factor it is lowered by. */
    private static final float FIRST_THRESHOLD = 0x1p-10f, THRESHOLD_STEP = 0x1p-10f;

    /** The token id of rank r in {@link #order}. */
    private int id(int r) {
        return (int) (order[r] & 0xFFFFFFFFL);
    }
}
