package dev.pagoda.cache;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prefix-cache hashing, LRU eviction, counters, fork and copy-on-write, on small pools of 4-token blocks. */
class BlockManagerTest {
    static final int BS = 4;

    static int[] tokens(int from, int count) {
        return IntStream.range(from, from + count).toArray();
    }

    /** Admits a sequence from its cached prefix and marks all its tokens computed; returns the table. */
    static BlockTable run(BlockManager m, int[] tokens) {
        BlockTable t = new BlockTable();
        CachedPrefix p = m.findCachedPrefix(tokens, tokens.length);
        m.admit(List.of(t), List.of(p), new int[]{tokens.length});
        m.cacheFullBlocks(t, tokens, tokens.length);
        return t;
    }

    @Test
    void blockHashIncludesTheWholePrefix() {
        int[] a = {1, 2, 3, 4, 5, 6, 7, 8}, b = {9, 2, 3, 4, 5, 6, 7, 8};
        long a0 = BlockHash.of(BlockHash.ROOT, a, 0, BS), b0 = BlockHash.of(BlockHash.ROOT, b, 0, BS);
        assertNotEquals(a0, b0);
        // Same tokens in block 1, different parents: different identities.
        assertNotEquals(BlockHash.of(a0, a, 4, BS), BlockHash.of(b0, b, 4, BS));
        assertEquals(BlockHash.of(a0, a, 4, BS), BlockHash.of(a0, b, 4, BS));
        assertNotEquals(BlockHash.of(BlockHash.ROOT, new int[]{0, 0}, 0, 1), BlockHash.of(BlockHash.ROOT, new int[]{0, 0}, 0, 2),
                "the token count is part of the identity");
    }

    @Test
    void aSharedPrefixIsReusedButTheLastPromptTokenIsAlwaysComputed() {
        BlockManager m = new BlockManager(16, BS, true);
        BlockTable first = run(m, tokens(100, 10)); // blocks 0,1 full, block 2 partial
        m.free(first);
        int[] same = tokens(100, 10);
        CachedPrefix hit = m.findCachedPrefix(same, same.length);
        assertEquals(2, hit.blocks().length);
        int[] exactlyTwoBlocks = tokens(100, 8);
        assertEquals(1, m.findCachedPrefix(exactlyTwoBlocks, 8).blocks().length, "8 tokens: the 8th must be computed");
        int[] diverging = tokens(100, 10);
        diverging[5] = 7;
        assertEquals(1, m.findCachedPrefix(diverging, 10).blocks().length);
        int[] other = tokens(0, 10);
        assertEquals(0, m.findCachedPrefix(other, 10).blocks().length);
    }

    @Test
    void countersCountLookedUpAndFoundTokensOfAdmissions() {
        BlockManager m = new BlockManager(16, BS, true);
        m.free(run(m, tokens(100, 10)));
        assertEquals(10, m.prefixCacheQueries());
        assertEquals(0, m.prefixCacheHits());
        m.free(run(m, tokens(100, 13)));
        assertEquals(23, m.prefixCacheQueries());
        assertEquals(8, m.prefixCacheHits());
        // a lookup that is not admitted is not counted
        m.findCachedPrefix(tokens(100, 13), 13);
        assertEquals(23, m.prefixCacheQueries());
        // admitted without reading the cache: not counted either
        BlockTable t = new BlockTable();
        m.admit(List.of(t), List.of(CachedPrefix.NONE), new int[]{13});
        assertEquals(23, m.prefixCacheQueries());
    }

    @Test
    void freeBlocksAreEvictedLeastRecentlyUsedFirstAndUncachedOnesAreReusedBeforeCachedOnes() {
        BlockManager m = new BlockManager(6, BS, true);
        BlockTable a = run(m, tokens(0, 9));   // blocks 0,1 cached, 2 partial
        BlockTable b = run(m, tokens(50, 9));  // blocks 3,4 cached, 5 partial
        m.free(a);
        m.free(b);
        // Partial blocks first (nothing cached to lose), then a's blocks last-first, then b's.
        assertArrayEquals(new int[]{5, 2, 1, 0, 4, 3}, m.freeQueue());
        assertEquals(6, m.freeBlocks(), "cached blocks without owners are free");
        // Reusing a's prefix takes its blocks off the queue; they are most recently used when freed again.
        BlockTable again = run(m, tokens(0, 9));
        assertEquals(2, m.prefixCacheHits() / BS);
        assertArrayEquals(new int[]{0, 1, 5}, new int[]{again.block(0), again.block(1), again.block(2)});
        m.free(again);
        assertArrayEquals(new int[]{5, 2, 4, 3, 1, 0}, m.freeQueue());
        // A new sequence needing 3 blocks takes 5, 2 and then evicts b's last block (4): b's first block stays cached.
        run(m, tokens(200, 12));
        assertTrue(m.isCached(3));
        assertEquals(1, m.findCachedPrefix(tokens(50, 9), 9).blocks().length);
        assertEquals(2, m.findCachedPrefix(tokens(0, 9), 9).blocks().length);
    }

    @Test
    void withoutPrefixCachingNothingIsLookedUpOrCached() {
        BlockManager m = new BlockManager(8, BS, false);
        m.free(run(m, tokens(0, 9)));
        assertEquals(0, m.findCachedPrefix(tokens(0, 9), 9).blocks().length);
        assertEquals(0, m.prefixCacheQueries());
        for (int b = 0; b < 8; b++) assertTrue(!m.isCached(b));
    }

    @Test
    void forkSharesBlocksAndTheFirstWriteIntoASharedPartialBlockCopiesIt() {
        BlockManager m = new BlockManager(8, BS, true);
        BlockTable parent = run(m, tokens(0, 6)); // block 0 full, block 1 holds positions 4,5
        BlockTable child = new BlockTable();
        m.fork(parent, child);
        assertEquals(2, m.refCount(parent.block(0)));
        assertEquals(2, m.refCount(parent.block(1)));
        assertEquals(6, m.freeBlocks());
        assertEquals(1, m.blocksToAppend(child, 6, 7), "position 6 is in the shared partial block");
        List<BlockCopy> copies = new ArrayList<>();
        m.append(child, 6, 7, copies);
        assertEquals(List.of(new BlockCopy(parent.block(1), child.block(1))), copies);
        assertEquals(parent.block(0), child.block(0), "the full block stays shared");
        assertEquals(1, m.refCount(parent.block(1)));
        copies.clear();
        assertEquals(0, m.blocksToAppend(parent, 6, 7), "the parent is now the block's only owner");
        m.append(parent, 6, 7, copies);
        assertTrue(copies.isEmpty());
        m.free(child);
        m.free(parent);
        assertEquals(8, m.freeBlocks());
        for (int b = 0; b < 8; b++) assertEquals(0, m.refCount(b));
    }

    @Test
    void admissionCountsFreeCachedBlocksItTakesOnce() {
        BlockManager m = new BlockManager(8, BS, true);
        m.free(run(m, tokens(0, 9)));
        CachedPrefix p = m.findCachedPrefix(tokens(0, 9), 9);
        // Two siblings reusing the same two free cached blocks, each needing one new block.
        assertEquals(2 + 2, m.blocksToAdmit(List.of(p, p), new int[]{9, 9}));
        BlockTable a = new BlockTable(), b = new BlockTable();
        m.admit(List.of(a, b), List.of(p, p), new int[]{9, 9});
        assertEquals(4, m.freeBlocks());
        assertEquals(2, m.refCount(a.block(0)));
    }
}
