package dev.pagoda.cache;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random admissions (with prefix reuse), appends, forks, prunes and frees against a simulated KV
 * pool that stores each slot's token: after every operation each live sequence reads its own
 * tokens back through its block table, and every block's reference count equals the number of
 * tables holding it; when all sequences are freed every block is free.
 */
class BlockManagerProperties {
    /** A live sequence: its tokens, all computed, and its block table. */
    record Seq(int[] tokens, BlockTable table) {
    }

    @Property(tries = 300)
    void tablesAlwaysReadTheirOwnTokensAndRefCountsMatchOwners(@ForAll @IntRange(min = 1, max = 8) int blockSize,
                                                               @ForAll @IntRange(min = 1, max = 48) int numBlocks,
                                                               @ForAll boolean prefixCaching, @ForAll long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        BlockManager m = new BlockManager(numBlocks, blockSize, prefixCaching);
        int[] slots = new int[numBlocks * blockSize];
        Arrays.fill(slots, -1);
        // A few base prompts so that new sequences share prefixes with old ones.
        int[][] bases = new int[3][];
        for (int i = 0; i < bases.length; i++) bases[i] = rnd.ints(40, 0, 5).toArray();
        List<Seq> live = new ArrayList<>();
        for (int op = 0; op < 200; op++) {
            int kind = rnd.nextInt(10);
            if (kind < 3 || live.isEmpty()) {
                int[] base = bases[rnd.nextInt(bases.length)];
                int[] tokens = Arrays.copyOf(base, 1 + rnd.nextInt(base.length));
                if (rnd.nextBoolean()) tokens[rnd.nextInt(tokens.length)] = rnd.nextInt(5);
                CachedPrefix p = m.findCachedPrefix(tokens, tokens.length);
                assertTrue(p.blocks().length * blockSize < tokens.length, "the last token is never a hit");
                if (m.blocksToAdmit(List.of(p), new int[]{tokens.length}) > m.freeBlocks()) continue;
                BlockTable t = new BlockTable();
                m.admit(List.of(t), List.of(p), new int[]{tokens.length});
                write(slots, t, blockSize, tokens, p.blocks().length * blockSize, tokens.length);
                m.cacheFullBlocks(t, tokens, tokens.length);
                live.add(new Seq(tokens, t));
            } else if (kind < 6) {
                Seq s = live.get(rnd.nextInt(live.size()));
                int from = s.tokens().length, to = from + 1 + rnd.nextInt(2 * blockSize);
                if (m.blocksToAppend(s.table(), from, to) > m.freeBlocks()) continue;
                List<BlockCopy> copies = new ArrayList<>();
                m.append(s.table(), from, to, copies);
                for (BlockCopy c : copies) System.arraycopy(slots, c.src() * blockSize, slots, c.dst() * blockSize, blockSize);
                int[] tokens = Arrays.copyOf(s.tokens(), to);
                for (int i = from; i < to; i++) tokens[i] = rnd.nextInt(5);
                write(slots, s.table(), blockSize, tokens, from, to);
                m.cacheFullBlocks(s.table(), tokens, to);
                live.set(live.indexOf(s), new Seq(tokens, s.table()));
            } else if (kind < 8) {
                // fork, and sometimes prune the parent, as beam search does
                Seq parent = live.get(rnd.nextInt(live.size()));
                BlockTable child = new BlockTable();
                m.fork(parent.table(), child);
                live.add(new Seq(parent.tokens().clone(), child));
                if (rnd.nextBoolean()) {
                    m.free(parent.table());
                    live.remove(parent);
                }
            } else {
                m.free(live.remove(rnd.nextInt(live.size())).table());
            }
            check(m, slots, live, blockSize, numBlocks);
        }
        for (Seq s : live) m.free(s.table());
        assertEquals(numBlocks, m.freeBlocks());
        for (int b = 0; b < numBlocks; b++) assertEquals(0, m.refCount(b));
    }

    static void write(int[] slots, BlockTable t, int bs, int[] tokens, int from, int to) {
        for (int p = from; p < to; p++) slots[t.block(p / bs) * bs + p % bs] = tokens[p];
    }

    static void check(BlockManager m, int[] slots, List<Seq> live, int bs, int numBlocks) {
        int[] owners = new int[numBlocks];
        for (Seq s : live) {
            assertEquals((s.tokens().length + bs - 1) / bs, s.table().size());
            for (int i = 0; i < s.table().size(); i++) owners[s.table().block(i)]++;
            for (int p = 0; p < s.tokens().length; p++) {
                assertEquals(s.tokens()[p], slots[s.table().block(p / bs) * bs + p % bs], "position " + p);
            }
        }
        int free = 0;
        for (int b = 0; b < numBlocks; b++) {
            assertEquals(owners[b], m.refCount(b), "owners of block " + b);
            if (owners[b] == 0) free++;
        }
        assertEquals(free, m.freeBlocks());
        assertEquals(free, m.freeQueue().length);
    }
}
