package dev.pagoda.sampling;

import java.util.Arrays;

/**
 * vLLM's penalties, in its order: {@code repetition_penalty} on every token that occurs in the
 * prompt or the output (a positive logit is divided by it, a negative one multiplied, so both move
 * away from being picked when it is above 1), then {@code frequency_penalty} × the token's count in
 * the output and {@code presence_penalty} once for any token in the output, subtracted.
 *
 * <p>Works from sorted copies of the token ids instead of vocabulary-sized count arrays: an output
 * is at most a few thousand tokens, so sorting it per step costs far less than clearing a
 * 150k-entry array, and nothing is kept per sequence.
 */
final class Penalties implements LogitsProcessor {
    private final double presence;
    private final double frequency;
    private final float repetition;
    /**
     * The prompt's distinct token ids, sorted (only needed for the repetition penalty), read once
     * for all the request's sequences. Volatile: sequences may be penalised on different threads,
     * and one that finds it unset computes the same array.
     */
    private volatile int[] promptTokens;

    Penalties(double presence, double frequency, double repetition) {
        this.presence = presence;
        this.frequency = frequency;
        this.repetition = (float) repetition;
    }

    @Override
    public void apply(float[] logits, int off, TokenHistory seq) {
        int p = seq.promptLength();
        int[] out = new int[seq.outputLength()];
        for (int i = 0; i < out.length; i++) out[i] = seq.token(p + i);
        Arrays.sort(out);
        if (repetition != 1f) {
            // Every sequence of a request has the same prompt; it is read once.
            int[] promptIds = promptTokens;
            if (promptIds == null) {
                int[] prompt = new int[p];
                for (int i = 0; i < p; i++) prompt[i] = seq.token(i);
                promptTokens = promptIds = Arrays.stream(prompt).sorted().distinct().toArray();
            }
            for (int id : promptIds) repeat(logits, off + id);
            for (int i = 0; i < out.length; i++) {
                if ((i == 0 || out[i] != out[i - 1]) && Arrays.binarySearch(promptIds, out[i]) < 0) repeat(logits, off + out[i]);
            }
        }
        if (presence == 0 && frequency == 0) return;
        for (int i = 0; i < out.length; ) {
            int j = i;
            while (j < out.length && out[j] == out[i]) j++;
            logits[off + out[i]] -= (float) (frequency * (j - i) + presence);
            i = j;
        }
    }

    private void repeat(float[] logits, int at) {
        float v = logits[at];
        logits[at] = v > 0 ? v / repetition : v * repetition;
    }
}
