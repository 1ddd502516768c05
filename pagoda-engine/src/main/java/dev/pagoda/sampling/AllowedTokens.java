package dev.pagoda.sampling;

import java.util.List;

/** {@code allowed_token_ids}: every other token's logit becomes -inf. */
final class AllowedTokens implements LogitsProcessor {
    private final int[] allowed;
    private final float[] saved;
    private final int vocab;

    AllowedTokens(List<Integer> ids, int vocab) {
        this.allowed = ids.stream().mapToInt(Integer::intValue).distinct().toArray();
        this.saved = new float[allowed.length];
        this.vocab = vocab;
    }

    @Override
    public void apply(float[] logits, int off, TokenHistory seq) {
        for (int i = 0; i < allowed.length; i++) saved[i] = logits[off + allowed[i]];
        java.util.Arrays.fill(logits, off, off + vocab, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < allowed.length; i++) logits[off + allowed[i]] = saved[i];
    }
}
