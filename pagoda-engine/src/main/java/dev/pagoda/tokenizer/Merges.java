package dev.pagoda.tokenizer;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * BPE merge rules as a pair table: (left id, right id) -> (rank, merged id), lower rank first.
 * An open-addressing table of primitives, because Qwen-sized vocabularies have ~150k merges and
 * boxing them would slow loading down.
 */
final class Merges {
    private static final long EMPTY = -1L;

    private long[] keys;
    private int[] ranks;
    private int[] merged;
    private int mask;
    private int size;

    Merges(int expected) {
        allocate(Integer.highestOneBit(Math.max(16, expected * 2 + 1)) << 1);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        merged = new int[capacity];
        mask = capacity - 1;
        size = 0;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldRanks = ranks;
        int[] oldMerged = merged;
        allocate(oldKeys.length * 2);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) add((int) (oldKeys[i] >>> 32), (int) oldKeys[i], oldRanks[i], oldMerged[i]);
        }
    }

    /** Adds a rule; a later rule for the same pair replaces the earlier one, as in the Rust library. */
    void add(int left, int right, int rank, int mergedId) {
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY && keys[slot] != key) slot = (slot + 1) & mask;
        if (keys[slot] == EMPTY) {
            if (size + 1 > keys.length / 2) {
                grow();
                add(left, right, rank, mergedId);
                return;
            }
            size++;
        }
        keys[slot] = key;
        ranks[slot] = rank;
        merged[slot] = mergedId;
    }

    /** The table slot of the pair's rule, or -1. */
    private int find(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) return slot;
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /**
     * Applies the rules to a word given as its initial symbols: repeatedly merges the best-ranked
     * adjacent pair, the leftmost one among equal ranks (the Rust library's and llama.cpp's order).
     */
    int[] apply(int[] symbols) {
        int n = symbols.length;
        if (n < 2) return symbols;
        int[] id = symbols.clone();
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Queue entries pack (rank, position) into one long so natural order is the merge order.
        PriorityQueue<Long> queue = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) offer(queue, id, i, i + 1);
        int remaining = n;
        while (!queue.isEmpty()) {
            long entry = queue.poll();
            int pos = (int) entry;
            int rank = (int) (entry >>> 32);
            if (id[pos] < 0 || next[pos] < 0) continue;
            int right = next[pos];
            int slot = find(id[pos], id[right]);
            // A stale entry: one of its symbols has been merged into something else since.
            if (slot < 0 || ranks[slot] != rank) continue;
            id[pos] = merged[slot];
            id[right] = -1;
            next[pos] = next[right];
            if (next[pos] >= 0) prev[next[pos]] = pos;
            remaining--;
            if (prev[pos] >= 0) offer(queue, id, prev[pos], pos);
            if (next[pos] >= 0) offer(queue, id, pos, next[pos]);
        }
        int[] out = new int[remaining];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) out[k++] = id[i];
        return out;
    }

    private void offer(PriorityQueue<Long> queue, int[] id, int left, int right) {
        int slot = find(id[left], id[right]);
        if (slot >= 0) queue.add(((long) ranks[slot] << 32) | left);
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }
}
