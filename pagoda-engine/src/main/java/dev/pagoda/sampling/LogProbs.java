package dev.pagoda.sampling;

import dev.pagoda.kernel.VectorMath;

/** Log-probabilities of raw logits (a log-softmax over the whole vocabulary, accumulated in double). */
public final class LogProbs {
    private LogProbs() {
    }

    /**
     * log Σ exp(logits[off..off+n)), computed stably: max + log Σ exp(l − max), the exps in float
     * on vectors and their sum in double ({@link VectorMath#sumExp}; within about 1e-7 of the
     * all-double result, below a float logprob's precision). A row whose largest logit is not
     * finite (NaN, ±∞) takes the plain double loop, whose NaN and infinity rules are Java's.
     */
    public static double logSumExp(float[] logits, int off, int n) {
        float max = VectorMath.max(logits, off, n);
        if (Float.isFinite(max)) return max + Math.log(VectorMath.sumExp(logits, off, n, max));
        double sum = 0;
        for (int i = off; i < off + n; i++) sum += Math.exp(logits[i] - (double) max);
        return max + Math.log(sum);
    }

    /**
     * The {@code k} most likely tokens, best first (ties: lower id first), as ids and logprobs
     * written into the given arrays; returns how many were written (min(k, n)). Once k tokens
     * are held, only a logit above the k-th best can enter, so the rest of the row is searched
     * for the next such logit on vectors (a 152k-logit row: one pass of compares, not a
     * scalar comparison chain per token).
     */
    public static int topK(float[] logits, int off, int n, int k, double logSumExp, int[] ids, float[] logprobs) {
        int count = Math.min(k, n);
        for (int j = 0; j < count; j++) ids[j] = -1;
        for (int i = 0; i < count; i++) insert(logits, off, i, ids, count);
        for (int i = count; count > 0 && i < n; i++) {
            // jump to the next logit above the last one held (the tokens passed over could not enter)
            i = VectorMath.indexAbove(logits, off + i, off + n, logits[off + ids[count - 1]]) - off;
            if (i < n) insert(logits, off, i, ids, count);
        }
        for (int j = 0; j < count; j++) logprobs[j] = (float) (logits[off + ids[j]] - logSumExp);
        return count;
    }

    /** Puts token i into the ranking ids[0, count) (an empty slot is −1) if its logit beats the last held. */
    private static void insert(float[] logits, int off, int i, int[] ids, int count) {
        float x = logits[off + i];
        int pos = count;
        while (pos > 0 && (ids[pos - 1] < 0 || x > logits[off + ids[pos - 1]])) pos--;
        if (pos >= count) return;
        System.arraycopy(ids, pos, ids, pos + 1, count - pos - 1);
        ids[pos] = i;
    }
}
