package dev.pagoda.cache;

import dev.pagoda.config.ModelConfig;
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
 * {@code p % blockSize}. Slots are addressed by element index (slot × kvDim + offset); this class
 * hides the storage format from the attention code.
 */
public final class KvCache implements AutoCloseable {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;
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
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
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

    /** Element index of the slot holding {@code position} of a sequence. */
    public long slotIndex(int[] blockTable, int position) {
        return ((long) blockTable[position / blockSize] * blockSize + position % blockSize) * kvDim;
    }

    /** Writes one token's K and V (kvDim values each) at element index {@code slot}. */
    public void store(int layer, long slot, float[] k, int kOff, float[] v, int vOff) {
        if (dtype == DType.F32) {
            MemorySegment.copy(k, kOff, keys[layer], LE_FLOAT, slot * 4, kvDim);
            MemorySegment.copy(v, vOff, values[layer], LE_FLOAT, slot * 4, kvDim);
        } else {
            for (int i = 0; i < kvDim; i++) {
                keys[layer].set(LE_SHORT, (slot + i) * 2, VectorMath.toBf16(k[kOff + i]));
                values[layer].set(LE_SHORT, (slot + i) * 2, VectorMath.toBf16(v[vOff + i]));
            }
        }
    }

    /** q[qOff..qOff+n) · K[index..index+n). */
    public float dotKey(int layer, float[] q, int qOff, long index, int n) {
        return dtype == DType.F32 ? VectorMath.dot(q, qOff, keys[layer], index, n)
                : VectorMath.dotBf16(q, qOff, keys[layer], index, n);
    }

    /** acc[0..n) += w · V[index..index+n). */
    public void addValue(int layer, float[] acc, long index, float w, int n) {
        if (dtype == DType.F32) VectorMath.addScaled(acc, values[layer], index, w, n);
        else VectorMath.addScaledBf16(acc, values[layer], index, w, n);
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
