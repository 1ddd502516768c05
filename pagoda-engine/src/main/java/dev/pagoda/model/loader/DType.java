package dev.pagoda.model.loader;

/**
 * The element formats Pagoda computes with. Quantized formats are GGML block formats:
 * a block of {@link #blockSize} values stored in {@link #blockBytes} bytes.
 */
public enum DType {
    F32(1, 4),
    F16(1, 2),
    BF16(1, 2),
    /** 32 values: an F16 scale, then 32 signed bytes. */
    Q8_0(32, 34),
    /** 32 values: an F16 scale, then 16 bytes of 4-bit values offset by 8 (low nibbles first). */
    Q4_0(32, 18);

    public final int blockSize;
    public final int blockBytes;

    DType(int blockSize, int blockBytes) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public boolean isQuantized() {
        return blockSize > 1;
    }

    /** Bytes taken by {@code count} values (a multiple of the block size). */
    public long bytesFor(long count) {
        if (count % blockSize != 0) {
            throw new IllegalArgumentException(count + " values are not a whole number of " + this + " blocks");
        }
        return count / blockSize * blockBytes;
    }

    /** Parses a --dtype value or a config.json torch_dtype. */
    public static DType parse(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "float32", "fp32", "f32", "float" -> F32;
            case "float16", "fp16", "f16", "half" -> F16;
            case "bfloat16", "bf16" -> BF16;
            case "q8_0" -> Q8_0;
            case "q4_0" -> Q4_0;
            default -> throw new IllegalArgumentException("unknown dtype '" + name + "'");
        };
    }
}
