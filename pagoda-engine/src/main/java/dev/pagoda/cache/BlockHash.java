package dev.pagoda.cache;

/**
 * The identity of a full KV block for prefix caching: a hash of its parent block's hash and its
 * own token ids, so equal hashes mean equal whole prefixes (vLLM's
 * {@code hash((parent_block_hash, block_token_ids))}). 64 bits, like vLLM's default builtin hash:
 * a collision among a pool's blocks is about n²/2⁶⁵ likely, e.g. 10⁻¹¹ for a million blocks.
 */
public final class BlockHash {
    /** The "parent" of a sequence's first block. */
    public static final long ROOT = 0x9E3779B97F4A7C15L;

    private BlockHash() {
    }

    /** The hash of the block holding {@code tokens[from, from + count)} whose parent block hashes to {@code parent}. */
    public static long of(long parent, int[] tokens, int from, int count) {
        long h = mix(parent ^ count);
        for (int i = from; i < from + count; i++) h = mix(h ^ (tokens[i] & 0xFFFFFFFFL) * 0xC2B2AE3D27D4EB4FL);
        return h;
    }

    /** The SplitMix64 finaliser: every input bit affects every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
