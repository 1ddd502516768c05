package dev.pagoda.model.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.model.loader.DType;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Streams tensors into {@code .safetensors} files without holding them in memory: the header is
 * planned from names, shapes and dtypes alone, then each tensor's values are pulled from its
 * generator a chunk at a time, converted and written. Heap use is a few chunk buffers whatever
 * the model size.
 *
 * <p>Format: 8-byte little-endian header length, the JSON header (padded with spaces to a multiple
 * of 8 bytes), then the tensors' bytes back to back in header order. Files are written under a
 * temporary name in the target directory and renamed into place only when every file is
 * complete, so a failure never leaves a half-written checkpoint behind.
 */
public final class SafetensorsWriter {
    /** Produces a tensor's values in row-major order, a chunk at a time. */
    public interface Values {
        /** Fills {@code dst[0, count)} with the next {@code count} values. */
        void next(float[] dst, int count);
    }

    /** One tensor to write; {@code values} is called once, when the tensor's bytes are written. */
    public record Tensor(String name, DType dtype, long[] shape, Supplier<Values> values) {
        public Tensor {
            if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
                throw new IllegalArgumentException("safetensors output supports f32, f16 and bf16, not " + dtype);
            }
        }

        public long count() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }

        public long byteSize() {
            return dtype.bytesFor(count());
        }
    }

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    private static final int CHUNK = 1 << 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors} into {@code dir}: one {@value #SINGLE_FILE}, or, when
     * {@code maxShardBytes > 0}, {@code model-0000k-of-0000n.safetensors} files of at most that many
     * tensor bytes each (a larger tensor gets a shard of its own) plus {@value #INDEX_FILE}.
     * Returns the files written, in order.
     */
    public static List<Path> write(Path dir, List<Tensor> tensors, long maxShardBytes) throws IOException {
        List<List<Tensor>> shards = maxShardBytes > 0 ? shard(tensors, maxShardBytes) : List.of(tensors);
        Map<Path, Path> renames = new LinkedHashMap<>(); // temporary file -> final name
        try {
            Map<String, String> weightMap = new TreeMap<>();
            for (int i = 0; i < shards.size(); i++) {
                String name = shards.size() == 1 && maxShardBytes <= 0 ? SINGLE_FILE
                        : String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                Path tmp = dir.resolve("." + name + ".partial");
                renames.put(tmp, dir.resolve(name));
                writeFile(tmp, shards.get(i));
                for (Tensor t : shards.get(i)) weightMap.put(t.name(), name);
            }
            if (maxShardBytes > 0) {
                Path tmp = dir.resolve("." + INDEX_FILE + ".partial");
                renames.put(tmp, dir.resolve(INDEX_FILE));
                Map<String, Object> index = new LinkedHashMap<>();
                index.put("metadata", Map.of("total_size", tensors.stream().mapToLong(Tensor::byteSize).sum()));
                index.put("weight_map", weightMap);
                Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(index));
            }
            for (Map.Entry<Path, Path> e : renames.entrySet()) {
                Files.move(e.getKey(), e.getValue(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return List.copyOf(renames.values());
        } catch (IOException | RuntimeException e) {
            for (Path tmp : renames.keySet()) Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Splits tensors, in order, into groups of at most {@code maxBytes} bytes (an oversized tensor stands alone). */
    static List<List<Tensor>> shard(List<Tensor> tensors, long maxBytes) {
        List<List<Tensor>> shards = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long size = 0;
        for (Tensor t : tensors) {
            if (!current.isEmpty() && size + t.byteSize() > maxBytes) {
                shards.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += t.byteSize();
        }
        if (!current.isEmpty()) shards.add(current);
        return shards;
    }

    /** The header bytes (JSON padded with spaces to a multiple of 8) for tensors stored back to back. */
    static byte[] header(List<Tensor> tensors) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Tensor t : tensors) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype().name());
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[] {offset, offset + t.byteSize()});
            if (header.put(t.name(), entry) != null) {
                throw new IllegalArgumentException("duplicate tensor name " + t.name());
            }
            offset += t.byteSize();
        }
        byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        return padded;
    }

    private static void writeFile(Path file, List<Tensor> tensors) throws IOException {
        byte[] header = header(tensors);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer start = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            writeFully(ch, start.putLong(header.length).put(header).flip());
            ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[CHUNK];
            short[] halves = new short[CHUNK];
            for (Tensor t : tensors) {
                Values source = t.values().get();
                for (long left = t.count(); left > 0; ) {
                    int n = (int) Math.min(CHUNK, left);
                    source.next(values, n);
                    buf.clear();
                    switch (t.dtype()) {
                        case F32 -> buf.asFloatBuffer().put(values, 0, n);
                        case F16 -> {
                            for (int i = 0; i < n; i++) halves[i] = Float.floatToFloat16(values[i]);
                            buf.asShortBuffer().put(halves, 0, n);
                        }
                        case BF16 -> {
                            for (int i = 0; i < n; i++) halves[i] = toBf16(values[i]);
                            buf.asShortBuffer().put(halves, 0, n);
                        }
                        default -> throw new AssertionError(t.dtype());
                    }
                    buf.limit((int) t.dtype().bytesFor(n));
                    writeFully(ch, buf);
                    left -= n;
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** Rounds a float to bfloat16, to nearest with ties to even (NaN stays a quiet NaN). */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }
}
