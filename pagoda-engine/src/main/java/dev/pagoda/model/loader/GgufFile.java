package dev.pagoda.model.loader;

import dev.pagoda.PagodaException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF (v2/v3) file, memory-mapped: its metadata and its tensors as slices of the mapping.
 *
 * <p>Metadata values are boxed Java values: integers of every width as {@link Long}, floats as
 * {@link Double}, {@link Boolean}, {@link String}, and arrays as {@link List} of those.
 * Tensor shapes are returned in Hugging Face order (slowest-varying first), the reverse of
 * GGUF's {@code ne} order.
 */
public final class GgufFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747; // "GGUF" little-endian
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final Map<String, Object> metadata;
    private final Map<String, TensorData> tensors;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, Map<String, Object> metadata,
                     Map<String, TensorData> tensors) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            Reader r = new Reader(path, seg);
            return r.read(arena);
        } catch (IOException e) {
            arena.close();
            throw new PagodaException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, TensorData> tensors() {
        return tensors;
    }

    public long sizeBytes() {
        return mapping.byteSize();
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Sequential little-endian reader over the mapped header with bounds checks that name the file. */
    private static final class Reader {
        private final Path path;
        private final MemorySegment seg;
        private long pos;

        Reader(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
        }

        GgufFile read(Arena arena) {
            need(8, "header");
            int magic = seg.get(U32, 0);
            if (magic != MAGIC) {
                throw fail(String.format("not a GGUF file (bad magic 0x%08x, expected \"GGUF\")", magic));
            }
            pos = 4;
            int version = u32();
            if (version != 2 && version != 3) {
                throw fail("unsupported GGUF version " + version + " (Pagoda reads versions 2 and 3)");
            }
            long tensorCount = u64();
            long kvCount = u64();
            if (tensorCount < 0 || tensorCount > 1_000_000 || kvCount < 0 || kvCount > 1_000_000) {
                throw fail("implausible header counts (" + tensorCount + " tensors, " + kvCount + " metadata keys)");
            }
            Map<String, Object> md = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string();
                md.put(key, value(u32(), key));
            }
            record Info(String name, long[] ne, int type, long offset) {}
            List<Info> infos = new ArrayList<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = string();
                int nDims = u32();
                if (nDims < 1 || nDims > 4) throw fail("tensor '" + name + "' has " + nDims + " dimensions");
                long[] ne = new long[nDims];
                for (int d = 0; d < nDims; d++) ne[d] = u64();
                infos.add(new Info(name, ne, u32(), u64()));
            }
            long alignment = md.get("general.alignment") instanceof Long a ? a : 32;
            long dataStart = (pos + alignment - 1) / alignment * alignment;
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            List<long[]> ranges = new ArrayList<>();
            for (Info info : infos) {
                DType type = ggmlType(info.type, info.name);
                long count = 1;
                long[] shape = new long[info.ne.length];
                for (int d = 0; d < info.ne.length; d++) {
                    count *= info.ne[d];
                    shape[info.ne.length - 1 - d] = info.ne[d];
                }
                if (info.ne[0] % type.blockSize != 0) {
                    throw fail("tensor '" + info.name + "': row length " + info.ne[0] + " is not a multiple of the "
                            + type + " block size " + type.blockSize);
                }
                long bytes = type.bytesFor(count);
                long start = dataStart + info.offset;
                if (info.offset < 0 || start + bytes > seg.byteSize()) {
                    throw fail("tensor '" + info.name + "' data [" + start + ", " + (start + bytes)
                            + ") runs past the end of the file (" + seg.byteSize() + " bytes): truncated file?");
                }
                ranges.add(new long[]{start, start + bytes, tensors.size()});
                tensors.put(info.name, new TensorData(info.name, type, shape, seg.asSlice(start, bytes)));
            }
            checkNoOverlap(ranges, new ArrayList<>(tensors.keySet()));
            return new GgufFile(path, arena, seg, Collections.unmodifiableMap(md), Collections.unmodifiableMap(tensors));
        }

        private void checkNoOverlap(List<long[]> ranges, List<String> names) {
            ranges.sort((a, b) -> Long.compare(a[0], b[0]));
            for (int i = 1; i < ranges.size(); i++) {
                if (ranges.get(i)[0] < ranges.get(i - 1)[1]) {
                    throw fail("tensors '" + names.get((int) ranges.get(i - 1)[2]) + "' and '"
                            + names.get((int) ranges.get(i)[2]) + "' overlap in the file");
                }
            }
        }

        private DType ggmlType(int t, String tensor) {
            return switch (t) {
                case 0 -> DType.F32;
                case 1 -> DType.F16;
                case 2 -> DType.Q4_0;
                case 8 -> DType.Q8_0;
                case 30 -> DType.BF16;
                default -> throw fail("tensor '" + tensor + "' has GGML type " + ggmlTypeName(t)
                        + ", which Pagoda does not implement (supported: F32, F16, BF16, Q8_0, Q4_0)");
            };
        }

        private Object value(int type, String key) {
            return switch (type) {
                case 0 -> (long) u8();
                case 1 -> (long) (byte) u8();
                case 2 -> (long) (u16() & 0xffff);
                case 3 -> (long) (short) u16();
                case 4 -> u32() & 0xffffffffL;
                case 5 -> (long) u32();
                case 6 -> (double) Float.intBitsToFloat(u32());
                case 7 -> u8() != 0;
                case 8 -> string();
                case 9 -> {
                    int elemType = u32();
                    long n = u64();
                    if (n < 0 || n > seg.byteSize()) throw fail("metadata '" + key + "': array length " + n);
                    List<Object> list = new ArrayList<>((int) n);
                    for (long i = 0; i < n; i++) list.add(value(elemType, key));
                    yield Collections.unmodifiableList(list);
                }
                case 10, 11 -> u64();
                case 12 -> Double.longBitsToDouble(u64());
                default -> throw fail("metadata '" + key + "' has unknown value type " + type);
            };
        }

        private String string() {
            long n = u64();
            if (n < 0 || n > 1 << 24) throw fail("implausible string length " + n + " at offset " + (pos - 8));
            need(n, "string");
            byte[] b = seg.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            return new String(b, StandardCharsets.UTF_8);
        }

        private int u8() {
            need(1, "u8");
            return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
        }

        private int u16() {
            need(2, "u16");
            int v = (seg.get(ValueLayout.JAVA_BYTE, pos) & 0xff) | (seg.get(ValueLayout.JAVA_BYTE, pos + 1) & 0xff) << 8;
            pos += 2;
            return v;
        }

        private int u32() {
            need(4, "u32");
            int v = seg.get(U32, pos);
            pos += 4;
            return v;
        }

        private long u64() {
            need(8, "u64");
            long v = seg.get(U64, pos);
            pos += 8;
            return v;
        }

        private void need(long n, String what) {
            if (pos + n > seg.byteSize()) {
                throw fail("truncated header: reading a " + what + " at offset " + pos + " needs " + n
                        + " bytes but the file has " + seg.byteSize());
            }
        }

        private PagodaException fail(String why) {
            return new PagodaException(path + ": " + why);
        }
    }

    private static String ggmlTypeName(int t) {
        String[] names = {"F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K",
                "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S",
                "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16"};
        return t >= 0 && t < names.length ? names[t] : "#" + t;
    }
}
