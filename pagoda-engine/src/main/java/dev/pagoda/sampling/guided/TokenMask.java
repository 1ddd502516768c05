package dev.pagoda.sampling.guided;

import java.util.Arrays;
import java.util.BitSet;

/** The tokens allowed at one grammar state over a logits row of {@link #width()} entries. Immutable. */
public final class TokenMask {
    private final long[] words;
    private final int width;
    private final int count;

    TokenMask(long[] words, int width) {
        this.words = words;
        this.width = width;
        int c = 0;
        for (long w : words) c += Long.bitCount(w);
        this.count = c;
    }

    public int width() {
        return width;
    }

    public boolean isAllowed(int id) {
        return id >= 0 && id < width && (words[id >>> 6] & (1L << id)) != 0;
    }

    /** How many tokens are allowed. */
    public int count() {
        return count;
    }

    public BitSet toBitSet() {
        return BitSet.valueOf(words);
    }

    /**
     * Sets the logits of every disallowed token in {@code logits[off, off + width)} to -infinity,
     * so that any sampler (greedy, temperature, top-k/p, min-p) draws from the allowed tokens with
     * the model's probabilities renormalised over them.
     */
    public void apply(float[] logits, int off) {
        for (int k = 0; k < words.length; k++) {
            long w = words[k];
            if (w == -1L) continue;
            int base = off + (k << 6);
            int end = Math.min(64, width - (k << 6));
            if (w == 0) {
                Arrays.fill(logits, base, base + end, Float.NEGATIVE_INFINITY);
                continue;
            }
            for (int b = 0; b < end; b++) {
                if ((w & (1L << b)) == 0) logits[base + b] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    long memoryBytes() {
        return 8L * words.length + 32;
    }
}
