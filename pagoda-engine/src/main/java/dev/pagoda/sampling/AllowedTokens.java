package dev.pagoda.sampling;

import java.util.List;

/**
 * {@code allowed_token_ids}: every other token's logit becomes -inf. Holds no scratch, so the
 * sequences of one request may apply it on different threads at once.
 */
final class AllowedTokens implements LogitsProcessor {
    /** The allowed ids, ascending, without repeats. */
    private final int[] allowed;
    private final int vocab;

    AllowedTokens(List<Integer> ids, int vocab) {
        this.allowed = ids.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
        this.vocab = vocab;
    }

    @Override
    public void apply(float[] logits, int off, TokenHistory seq) {
        int from = 0; // the gaps between allowed ids are filled
        for (int id : allowed) {
            java.util.Arrays.fill(logits, off + from, off + id, Float.NEGATIVE_INFINITY);
            from = id + 1;
        }
        java.util.Arrays.fill(logits, off + from, off + vocab, Float.NEGATIVE_INFINITY);
    }
}
