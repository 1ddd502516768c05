package dev.pagoda.sampling;

/** {@code min_tokens}: EOS and the stop token ids are banned (-inf) until the output has this many tokens. */
final class MinTokens implements LogitsProcessor {
    private final int minTokens;
    private final int[] stopIds;

    MinTokens(int minTokens, int[] stopIds) {
        this.minTokens = minTokens;
        this.stopIds = stopIds;
    }

    @Override
    public void apply(float[] logits, int off, TokenHistory seq) {
        if (seq.outputLength() >= minTokens) return;
        for (int id : stopIds) logits[off + id] = Float.NEGATIVE_INFINITY;
    }
}
