package dev.pagoda.cache;

import dev.pagoda.config.ModelConfig;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The paged K/V pool, off-heap and allocated once: {@code numBlocks} blocks of
 * {@code blockSize} token slots per layer, F32. A sequence's block table maps its positions to
 * blocks: position p lives in block {@code table[p / blockSize]} at slot {@code p % blockSize}.
 */
public final class KvCache implements AutoCloseable {
    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] keys;
    private final MemorySegment[] values;

    public KvCache(ModelConfig config, int numBlocks, int blockSize) {
        if (blockSize < 1) throw new IllegalArgumentException("--block-size must be at least 1, got " + blockSize);
        if (numBlocks < 1) throw new IllegalArgumentException("the KV cache needs at least one block, got " + numBlocks);
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
        long layerBytes = (long) numBlocks * blockSize * kvDim * Float.BYTES;
        this.keys = new MemorySegment[config.numLayers()];
        this.values = new MemorySegment[config.numLayers()];
        for (int l = 0; l < keys.length; l++) {
            keys[l] = arena.allocate(layerBytes, 64);
            values[l] = arena.allocate(layerBytes, 64);
        }
    }

    /** Bytes one token occupies across all layers (K and V, F32). */
    public static long bytesPerToken(ModelConfig config) {
        return 2L * config.numLayers() * config.kvDim() * Float.BYTES;
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int blockSize() {
        return blockSize;
    }

    public MemorySegment keys(int layer) {
        return keys[layer];
    }

    public MemorySegment values(int layer) {
        return values[layer];
    }

    /** Float index in a layer's key/value segment of the slot holding {@code position} of a sequence. */
    public long slotIndex(int[] blockTable, int position) {
        return ((long) blockTable[position / blockSize] * blockSize + position % blockSize) * kvDim;
    }

    /** Copies block {@code src}'s K and V to block {@code dst} in every layer (copy-on-write of a shared block). */
    public void copyBlock(int src, int dst) {
        for (int l = 0; l < keys.length; l++) {
            long blockBytes = keys[l].byteSize() / numBlocks;
            MemorySegment.copy(keys[l], src * blockBytes, keys[l], dst * blockBytes, blockBytes);
            MemorySegment.copy(values[l], src * blockBytes, values[l], dst * blockBytes, blockBytes);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
