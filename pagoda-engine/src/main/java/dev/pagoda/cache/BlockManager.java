package dev.pagoda.cache;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Maps sequences' block tables onto the shared pool: allocation as sequences grow, sharing
 * (fork: every block gets one more owner), copy-on-write of a shared block a sequence is about to
 * write into, freeing, and automatic prefix caching of full blocks. Owned by the engine thread.
 *
 * <p>Callers check {@link #blocksToAppend} or {@link #blocksToAdmit} against {@link #freeBlocks}
 * before {@link #append} or {@link #admit}, which then cannot fail; that lets the scheduler
 * preempt (or stop admitting) before anything changes.
 */
public final class BlockManager {
    private final BlockPool pool;
    private final int blockSize;
    private final boolean prefixCaching;
    private long prefixCacheQueries;
    private long prefixCacheHits;

    public BlockManager(int numBlocks, int blockSize, boolean prefixCaching) {
        if (blockSize < 1) throw new IllegalArgumentException("--block-size must be at least 1, got " + blockSize);
        this.pool = new BlockPool(numBlocks);
        this.blockSize = blockSize;
        this.prefixCaching = prefixCaching;
    }

    public int blockSize() {
        return blockSize;
    }

    public int totalBlocks() {
        return pool.total();
    }

    /** Blocks no sequence owns; cached-but-unowned blocks count as free. */
    public int freeBlocks() {
        return pool.freeCount();
    }

    public int refCount(int block) {
        return pool.refCount(block);
    }

    public boolean prefixCaching() {
        return prefixCaching;
    }

    /** Prompt tokens looked up in the prefix cache (vLLM's {@code vllm:prefix_cache_queries}). */
    public long prefixCacheQueries() {
        return prefixCacheQueries;
    }

    /** Of those, tokens found cached (vLLM's {@code vllm:prefix_cache_hits}). */
    public long prefixCacheHits() {
        return prefixCacheHits;
    }

    /**
     * The cached full blocks that start {@code tokens[0, length)}. At most {@code length - 1}
     * tokens are covered: the last one is always computed, so there are logits to sample from.
     */
    public CachedPrefix findCachedPrefix(int[] tokens, int length) {
        if (!prefixCaching) return CachedPrefix.NONE;
        int max = (length - 1) / blockSize;
        int[] blocks = new int[max];
        long[] hashes = new long[max];
        int found = 0;
        long parent = BlockHash.ROOT;
        while (found < max) {
            long h = BlockHash.of(parent, tokens, found * blockSize, blockSize);
            int b = pool.lookup(h);
            if (b < 0) break;
            blocks[found] = b;
            hashes[found++] = h;
            parent = h;
        }
        return new CachedPrefix(Arrays.copyOf(blocks, found), Arrays.copyOf(hashes, found), length);
    }

    /**
     * Free blocks needed to admit sequences that start from the given cached prefixes and must
     * hold {@code ends[i]} tokens: their new blocks, plus every distinct cached block that is now
     * free (reusing it takes it off the free queue).
     */
    public int blocksToAdmit(List<CachedPrefix> prefixes, int[] ends) {
        int n = 0;
        Set<Integer> reusedFree = new HashSet<>();
        for (int i = 0; i < prefixes.size(); i++) {
            int[] hit = prefixes.get(i).blocks();
            n += Math.max(0, ceilDiv(ends[i], blockSize) - hit.length);
            for (int b : hit) if (pool.refCount(b) == 0) reusedFree.add(b);
        }
        return n + reusedFree.size();
    }

    /**
     * Gives empty tables their cached prefixes' blocks, then new blocks up to {@code ends[i]}
     * tokens each; counts the lookups. All prefixes are taken before any new block is handed out,
     * so that handing one out cannot evict a cached block a later table was about to reuse.
     */
    public void admit(List<BlockTable> tables, List<CachedPrefix> prefixes, int[] ends) {
        for (int i = 0; i < tables.size(); i++) {
            BlockTable table = tables.get(i);
            CachedPrefix prefix = prefixes.get(i);
            if (table.size() != 0) throw new IllegalStateException("admit needs empty block tables");
            for (int j = 0; j < prefix.blocks().length; j++) {
                pool.retain(prefix.blocks()[j]);
                table.add(prefix.blocks()[j]);
                table.addHash(prefix.hashes()[j]);
            }
            if (prefix != CachedPrefix.NONE) {
                prefixCacheQueries += prefix.queriedTokens();
                prefixCacheHits += (long) prefix.blocks().length * blockSize;
            }
        }
        for (int i = 0; i < tables.size(); i++) {
            while (tables.get(i).size() * blockSize < ends[i]) tables.get(i).add(pool.allocate());
        }
    }

    /** Free blocks needed before positions [from, to) can be written: new blocks and copies of shared ones. */
    public int blocksToAppend(BlockTable table, int from, int to) {
        int n = Math.max(0, ceilDiv(to, blockSize) - table.size());
        for (int i = from / blockSize; i < Math.min(table.size(), ceilDiv(to, blockSize)); i++) {
            if (pool.refCount(table.block(i)) > 1) n++;
        }
        return n;
    }

    /**
     * Makes positions [from, to) writable: a block in that range that other tables share is
     * replaced by a private copy (recorded in {@code copies}, for the K/V to be copied before the
     * forward pass), and new blocks are added up to {@code to}.
     */
    public void append(BlockTable table, int from, int to, List<BlockCopy> copies) {
        for (int i = from / blockSize; i < Math.min(table.size(), ceilDiv(to, blockSize)); i++) {
            int shared = table.block(i);
            if (pool.refCount(shared) == 1) continue;
            int own = pool.allocate();
            copies.add(new BlockCopy(shared, own));
            pool.release(shared);
            table.set(i, own);
        }
        while (table.size() * blockSize < to) table.add(pool.allocate());
    }

    /** Makes an empty {@code child} share every block of {@code parent} (a cheap table copy). */
    public void fork(BlockTable parent, BlockTable child) {
        if (child.size() != 0) throw new IllegalStateException("fork needs an empty child block table");
        child.copyFrom(parent);
        for (int i = 0; i < child.size(); i++) pool.retain(child.block(i));
    }

    /**
     * Drops the table's ownership of its blocks, last block first: blocks that keep cached
     * content are then evicted from the end of the sequence inwards, keeping shared prefixes longest.
     */
    public void free(BlockTable table) {
        for (int i = table.size() - 1; i >= 0; i--) pool.release(table.block(i));
        table.clear();
    }

    /** Registers the blocks that the first {@code computed} tokens filled, so later requests can reuse them. */
    public void cacheFullBlocks(BlockTable table, int[] tokens, int computed) {
        if (!prefixCaching) return;
        for (int i = table.hashed(); i < computed / blockSize; i++) {
            long h = BlockHash.of(i == 0 ? BlockHash.ROOT : table.hash(i - 1), tokens, i * blockSize, blockSize);
            table.addHash(h);
            pool.cache(table.block(i), h);
        }
    }

    /** Free block ids, the next to be handed out (and evicted) first. */
    int[] freeQueue() {
        return pool.freeQueue();
    }

    boolean isCached(int block) {
        return pool.isCached(block);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
