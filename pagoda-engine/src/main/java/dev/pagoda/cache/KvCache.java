package dev.pagoda.cache;

import dev.pagoda.config.ModelConfig;

/**
 * The paged K/V pool: {@code numBlocks} blocks of {@code blockSize} token slots per layer. A
 * sequence's block table maps its positions to blocks: position p lives in block
 * {@code table[p / blockSize]} at slot {@code p % blockSize}. Allocated once at start.
 */
public final class KvCache {
    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;
    private final float[][] keys;
    private final float[][] values;

    public KvCache(ModelConfig config, int numBlocks, int blockSize) {
        if (blockSize < 1) throw new IllegalArgumentException("--block-size must be at least 1, got " + blockSize);
        if (numBlocks < 1) throw new IllegalArgumentException("the KV cache needs at least one block, got " + numBlocks);
        long perLayer = (long) numBlocks * blockSize * config.kvDim();
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("KV cache of " + numBlocks + " blocks is too large for one layer array");
        }
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
        this.keys = new float[config.numLayers()][(int) perLayer];
        this.values = new float[config.numLayers()][(int) perLayer];
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

    public float[] keys(int layer) {
        return keys[layer];
    }

    public float[] values(int layer) {
        return values[layer];
    }

    /** Offset in a layer's key/value array of the slot holding {@code position} of a sequence. */
    public int slotOffset(int[] blockTable, int position) {
        return (blockTable[position / blockSize] * blockSize + position % blockSize) * kvDim;
    }
}
