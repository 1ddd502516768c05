package dev.pagoda.cache;

import java.util.ArrayDeque;

/** Hands out KV block ids from a fixed pool; owned by the engine thread. */
public final class BlockAllocator {
    private final int total;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();

    public BlockAllocator(int total) {
        this.total = total;
        for (int i = 0; i < total; i++) free.addLast(i);
    }

    public int total() {
        return total;
    }

    public int freeCount() {
        return free.size();
    }

    /** A free block id, or -1 when the pool is exhausted. */
    public int allocate() {
        Integer b = free.pollFirst();
        return b == null ? -1 : b;
    }

    public void release(int block) {
        if (block < 0 || block >= total) throw new IllegalArgumentException("block " + block + " is not in the pool");
        free.addLast(block);
    }
}
