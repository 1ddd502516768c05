package dev.pagoda.cache;

import dev.pagoda.config.ModelConfig;
import dev.pagoda.kernel.AttentionMath;
import dev.pagoda.kernel.HugePages;
import dev.pagoda.kernel.VectorMath;
import dev.pagoda.model.loader.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The paged K/V pool, off-heap and allocated once: {@code numBlocks} blocks of
 * {@code blockSize} token slots per layer, stored as F32 or BF16. A sequence's block table maps its
 * positions to blocks: position p lives in block {@code table[p / blockSize]} at slot
 * {@code p % blockSize}. Within a block, values are stored slot by slot (kvDim each) and keys
 * head by head, each head's transposed (see {@link AttentionMath}); this class hides the layout
 * and the storage format from the attention code.
 */
public final class KvCache implements AutoCloseable {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;
    private final int headDim;
    private final DType dtype;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] keys;
    private final MemorySegment[] values;

    public KvCache(ModelConfig config, int numBlocks, int blockSize, DType dtype) {
        if (blockSize < 1) throw new IllegalArgumentException("--block-size must be at least 1, got " + blockSize);
        if (numBlocks < 1) throw new IllegalArgumentException("the KV cache needs at least one block, got " + numBlocks);
        if (dtype != DType.F32 && dtype != DType.BF16) {
            throw new IllegalArgumentException("the KV cache stores float32 or bfloat16, not " + dtype);
        }
        if (dtype == DType.BF16 && config.headDim() % 2 != 0) {
            // BF16 keys pair neighbouring dimensions of a head (see AttentionMath).
            throw new IllegalArgumentException("a bfloat16 KV cache needs an even head size, got " + config.headDim()
                    + "; use --kv-cache-dtype float32");
        }
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
        this.headDim = config.headDim();
        this.dtype = dtype;
        long layerBytes = (long) numBlocks * blockSize * kvDim * elementBytes(dtype);
        this.keys = new MemorySegment[config.numLayers()];
        this.values = new MemorySegment[config.numLayers()];
        // One allocation for all layers, in huge pages where available (attention streams the cache).
        long stride = (layerBytes + 63) & ~63L;
        MemorySegment all = HugePages.allocate(arena, 2 * stride * keys.length);
        for (int l = 0; l < keys.length; l++) {
            keys[l] = all.asSlice(2 * l * stride, layerBytes);
            values[l] = all.asSlice((2L * l + 1) * stride, layerBytes);
        }
    }

    public KvCache(ModelConfig config, int numBlocks, int blockSize) {
        this(config, numBlocks, blockSize, DType.F32);
    }

    /** The KV dtype for {@code --kv-cache-dtype auto}: BF16 for BF16 checkpoints, F32 otherwise. */
    public static DType autoDType(DType weights) {
        return weights == DType.BF16 ? DType.BF16 : DType.F32;
    }

    /** Bytes one token occupies across all layers (K and V). */
    public static long bytesPerToken(ModelConfig config, DType dtype) {
        return 2L * config.numLayers() * config.kvDim() * elementBytes(dtype);
    }

    private static int elementBytes(DType dtype) {
        return dtype == DType.BF16 ? 2 : 4;
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int blockSize() {
        return blockSize;
    }

    public DType dtype() {
        return dtype;
    }

    /** Writes the K and V (kvDim values each) of a sequence's token at {@code position}. */
    public void store(int layer, int[] blockTable, int position, float[] k, int kOff, float[] v, int vOff) {
        int block = blockTable[position / blockSize], s = position % blockSize;
        long valueRow = ((long) block * blockSize + s) * kvDim;
        boolean bf16 = dtype == DType.BF16;
        for (int h = 0; h < kvDim / headDim; h++) {
            long head = headStart(block, h);
            for (int d = 0; d < headDim; d++) {
                long i = AttentionMath.keyIndex(head, blockSize, bf16, d, s);
                float key = k[kOff + h * headDim + d];
                if (bf16) keys[layer].set(LE_SHORT, 2 * i, VectorMath.toBf16(key));
                else keys[layer].set(LE_FLOAT, 4 * i, key);
            }
        }
        if (bf16) {
            for (int i = 0; i < kvDim; i++) values[layer].set(LE_SHORT, (valueRow + i) * 2, VectorMath.toBf16(v[vOff + i]));
        } else {
            MemorySegment.copy(v, vOff, values[layer], LE_FLOAT, valueRow * 4, kvDim);
        }
    }

    /**
     * s[j] = scale · (q[qOff..qOff+headDim) · K_j) for slots j in [0, count) of {@code block},
     * KV head {@code kvHead}; returns the largest. {@code s} holds {@link #blockSize} floats.
     */
    public float scores(int layer, int block, int kvHead, float[] q, int qOff, int count, float scale, float[] s) {
        return AttentionMath.scores(q, qOff, keys[layer], dtype == DType.BF16, headStart(block, kvHead), blockSize, count,
                headDim, scale, s);
    }

    /** acc[0..headDim) += Σ_j p[j] · V_j over slots j in [0, count) of {@code block}, KV head {@code kvHead}, in slot order. */
    public void accumulate(int layer, int block, int kvHead, int count, float[] p, float[] acc) {
        AttentionMath.accumulate(acc, values[layer], dtype == DType.BF16, (long) block * blockSize * kvDim + (long) kvHead * headDim,
                kvDim, count, headDim, p);
    }

    /** Element index where KV head h's keys of a block start: the block's keys are grouped by head, each head's transposed. */
    private long headStart(int block, int h) {
        return ((long) block * kvDim + (long) h * headDim) * blockSize;
    }

    /** Copies block {@code src}'s K and V to block {@code dst} in every layer (copy-on-write of a shared block). */
    public void copyBlock(int src, int dst) {
        for (int l = 0; l < keys.length; l++) {
            long blockBytes = keys[l].byteSize() / numBlocks;
            MemorySegment.copy(keys[l], (long) src * blockBytes, keys[l], (long) dst * blockBytes, blockBytes);
            MemorySegment.copy(values[l], (long) src * blockBytes, values[l], (long) dst * blockBytes, blockBytes);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
