package dev.pagoda.sampling.guided;

import dev.pagoda.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Set;

/**
 * The vocabulary as a byte trie, for computing which tokens a byte automaton accepts from a
 * state. Nodes are stored in depth-first preorder with the index just past their subtree, so a
 * mask is one forward scan that jumps over every subtree the automaton rejects at its root.
 * Tokens that contribute no bytes, and special tokens, are not in the trie: they are never
 * allowed, except the end-of-sequence tokens, which a grammar allows in its accepting states.
 * Built once per tokenizer (about a second for a 150k vocabulary); immutable and thread-safe.
 */
public final class TokenTrie {
    private final int width;
    private final byte[][] tokenBytes; // null: never allowed as text
    private final int[] eosIds;
    private final byte[] nodeByte;
    private final int[] nodeDepth;
    private final int[] subtreeEnd;
    private final int[] tokenStart; // tokens of node i: tokenIds[tokenStart[i] .. tokenStart[i + 1])
    private final int[] tokenIds;
    private final int maxDepth;

    /**
     * @param width      the width of a logits row (the model's vocabulary, which may exceed the
     *                   tokenizer's: ids past {@code tokenBytes.length} are never allowed)
     * @param tokenBytes each token's bytes; null or empty for tokens never allowed as text
     * @param eosIds     end-of-sequence ids, allowed exactly in accepting states
     */
    public TokenTrie(int width, byte[][] tokenBytes, Set<Integer> eosIds) {
        if (tokenBytes.length > width) throw new IllegalArgumentException("vocabulary " + tokenBytes.length + " is wider than the logits row " + width);
        this.width = width;
        this.tokenBytes = tokenBytes.clone();
        this.eosIds = eosIds.stream().mapToInt(Integer::intValue).filter(id -> id >= 0 && id < width).sorted().toArray();
        for (int id : this.eosIds) if (id < this.tokenBytes.length) this.tokenBytes[id] = null;
        Integer[] order = new Integer[tokenBytes.length];
        int count = 0;
        long totalBytes = 0;
        for (int id = 0; id < tokenBytes.length; id++) {
            byte[] b = this.tokenBytes[id];
            if (b == null || b.length == 0) {
                this.tokenBytes[id] = null;
                continue;
            }
            order[count++] = id;
            totalBytes += b.length;
        }
        Integer[] ids = Arrays.copyOf(order, count);
        Arrays.sort(ids, Comparator.comparing((Integer id) -> this.tokenBytes[id], Arrays::compareUnsigned).thenComparing(id -> id));
        // Nodes are at most one per byte of every token; the real count is far lower (shared prefixes).
        int cap = (int) Math.min(totalBytes + 1, Integer.MAX_VALUE - 8);
        byte[] bytes = new byte[cap];
        int[] depth = new int[cap];
        int[] end = new int[cap];
        int[] tokStart = new int[cap + 1];
        int[] path = new int[256]; // node index at each depth of the current path
        int pathLength = 0;
        int nodes = 0;
        int deepest = 0;
        byte[] previous = new byte[0];
        for (int t = 0; t < ids.length; t++) {
            byte[] b = this.tokenBytes[ids[t]];
            int common = Arrays.mismatch(previous, b);
            if (common < 0) common = b.length; // equal to the previous token
            while (pathLength > common) end[path[--pathLength]] = nodes;
            for (int d = common; d < b.length; d++) {
                if (pathLength == path.length) path = Arrays.copyOf(path, path.length * 2);
                bytes[nodes] = b[d];
                depth[nodes] = d + 1;
                tokStart[nodes] = t;
                path[pathLength++] = nodes++;
            }
            deepest = Math.max(deepest, b.length);
            previous = b;
        }
        while (pathLength > 0) end[path[--pathLength]] = nodes;
        tokStart[nodes] = ids.length;
        // Node i holds the tokens from tokenStart[i] to the next node's start: an interior node
        // (created for a longer token, like the nodes after it) holds none; a token's last node
        // holds it and the equal tokens after it, which create no node.
        this.nodeByte = Arrays.copyOf(bytes, nodes);
        this.nodeDepth = Arrays.copyOf(depth, nodes);
        this.subtreeEnd = Arrays.copyOf(end, nodes);
        this.tokenStart = Arrays.copyOf(tokStart, nodes + 1);
        this.tokenIds = Arrays.stream(ids).mapToInt(Integer::intValue).toArray();
        this.maxDepth = deepest;
    }

    /** The trie of a tokenizer's vocabulary for logits rows of {@code width} entries. */
    public static TokenTrie of(Tokenizer tokenizer, int width) {
        byte[][] bytes = new byte[tokenizer.vocabSize()][];
        for (int id = 0; id < bytes.length; id++) bytes[id] = tokenizer.isSpecial(id) ? null : tokenizer.tokenBytes(id);
        return new TokenTrie(width, bytes, tokenizer.eosTokenIds());
    }

    public int width() {
        return width;
    }

    public int nodeCount() {
        return nodeByte.length;
    }

    /** The bytes of a token allowed as text, or null (special, empty, EOS or out of the vocabulary). */
    byte[] bytes(int id) {
        return id >= 0 && id < tokenBytes.length ? tokenBytes[id] : null;
    }

    boolean isEos(int id) {
        return Arrays.binarySearch(eosIds, id) >= 0;
    }

    /** The tokens that {@code dfa} can consume from {@code state} (and EOS if the state accepts), as bit words. */
    long[] allowed(ByteDfa dfa, int state) {
        long[] words = new long[(width + 63) >>> 6];
        int[] stateAt = new int[maxDepth + 1];
        stateAt[0] = state;
        int n = nodeByte.length;
        int i = 0;
        while (i < n) {
            int d = nodeDepth[i];
            int s = dfa.step(stateAt[d - 1], nodeByte[i]);
            if (s == ByteDfa.DEAD) {
                i = subtreeEnd[i];
                continue;
            }
            stateAt[d] = s;
            for (int k = tokenStart[i]; k < tokenStart[i + 1]; k++) {
                int id = tokenIds[k];
                words[id >>> 6] |= 1L << id;
            }
            i++;
        }
        if (dfa.isAccepting(state)) for (int id : eosIds) words[id >>> 6] |= 1L << id;
        return words;
    }

    /** Bytes held by the trie's tables (excluding the token byte strings). */
    long memoryBytes() {
        return nodeByte.length + 4L * (nodeDepth.length + subtreeEnd.length + tokenStart.length + tokenIds.length);
    }
}
