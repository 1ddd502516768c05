package dev.pagoda.cache;

import java.util.HashMap;
import java.util.Map;

/**
 * The physical KV blocks: a reference count per block, the free queue, and the prefix cache's
 * map from block hash to the block holding that content. A block is free when its count is 0;
 * a free block may still hold cached content, which is lost (evicted) only when the block is
 * handed out again. The free queue is a doubly linked list over block ids, so a cached free block
 * that a new request reuses leaves it in O(1); blocks are handed out from its head.
 */
final class BlockPool {
    private final int total;
    private final int[] refCount;
    private final long[] hash;
    private final boolean[] cached;
    private final Map<Long, Integer> cachedBlocks = new HashMap<>();
    // Free queue links; index `total` is the sentinel (next[total] = head, prev[total] = tail).
    private final int[] next;
    private final int[] prev;
    private int free;

    BlockPool(int total) {
        if (total < 1) throw new IllegalArgumentException("the KV cache needs at least one block, got " + total);
        this.total = total;
        this.refCount = new int[total];
        this.hash = new long[total];
        this.cached = new boolean[total];
        this.next = new int[total + 1];
        this.prev = new int[total + 1];
        next[total] = prev[total] = total;
        for (int b = 0; b < total; b++) linkBefore(b, total);
    }

    int total() {
        return total;
    }

    /** Blocks with no owner, including those still holding cached content. */
    int freeCount() {
        return free;
    }

    int refCount(int block) {
        return refCount[block];
    }

    boolean isCached(int block) {
        return cached[block];
    }

    /** Takes the least recently freed block, evicting its cached content; the caller owns it. */
    int allocate() {
        int b = next[total];
        if (b == total) throw new IllegalStateException("no free KV block (callers check freeCount first)");
        unlink(b);
        if (cached[b]) {
            cachedBlocks.remove(hash[b]);
            cached[b] = false;
        }
        refCount[b] = 1;
        return b;
    }

    /** Adds an owner to a block, taking it off the free queue if it had none (a prefix-cache hit). */
    void retain(int block) {
        if (refCount[block]++ == 0) unlink(block);
    }

    /**
     * Drops an owner. A block left with none goes to the free queue: to its tail if it holds cached
     * content (evicted last, least recently used first), to its head if not (nothing is lost by
     * reusing it first).
     */
    void release(int block) {
        if (refCount[block] <= 0) throw new IllegalStateException("block " + block + " released more often than retained");
        if (--refCount[block] > 0) return;
        linkBefore(block, cached[block] ? total : next[total]);
    }

    /** The block caching the content with this hash, or -1. */
    int lookup(long blockHash) {
        Integer b = cachedBlocks.get(blockHash);
        return b == null ? -1 : b;
    }

    /**
     * Registers a full, owned block's content under its hash. If another block already caches the
     * same content (two requests computed it at once), this one stays uncached.
     */
    void cache(int block, long blockHash) {
        if (cached[block] || cachedBlocks.putIfAbsent(blockHash, block) != null) return;
        hash[block] = blockHash;
        cached[block] = true;
    }

    /** Free block ids in eviction order (head first); for tests and diagnostics. */
    int[] freeQueue() {
        int[] out = new int[free];
        int i = 0;
        for (int b = next[total]; b != total; b = next[b]) out[i++] = b;
        return out;
    }

    private void unlink(int b) {
        next[prev[b]] = next[b];
        prev[next[b]] = prev[b];
        free--;
    }

    private void linkBefore(int b, int at) {
        prev[b] = prev[at];
        next[b] = at;
        next[prev[at]] = b;
        prev[at] = b;
        free++;
    }
}
