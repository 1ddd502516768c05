package dev.pagoda.sampling;

/** Log-probabilities of raw logits (a log-softmax over the whole vocabulary, accumulated in double). */
public final class LogProbs {
    private LogProbs() {
    }

    /** log Σ exp(logits[off..off+n)), computed stably. */
    public static double logSumExp(float[] logits, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) max = Math.max(max, logits[i]);
        double sum = 0;
        for (int i = off; i < off + n; i++) sum += Math.exp(logits[i] - (double) max);
        return max + Math.log(sum);
    }

    /**
     * The {@code k} most likely tokens, best first (ties: lower id first), as ids and logprobs
     * written into the given arrays; returns how many were written (min(k, n)).
     */
    public static int topK(float[] logits, int off, int n, int k, double logSumExp, int[] ids, float[] logprobs) {
        int count = Math.min(k, n);
        for (int j = 0; j < count; j++) ids[j] = -1;
        for (int i = 0; i < n; i++) {
            float x = logits[off + i];
            int pos = count;
            while (pos > 0 && (ids[pos - 1] < 0 || x > logits[off + ids[pos - 1]])) pos--;
            if (pos >= count) continue;
            System.arraycopy(ids, pos, ids, pos + 1, count - pos - 1);
            ids[pos] = i;
        }
        for (int j = 0; j < count; j++) logprobs[j] = (float) (logits[off + ids[j]] - logSumExp);
        return count;
    }
}
