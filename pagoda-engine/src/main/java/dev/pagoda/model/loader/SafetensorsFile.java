package dev.pagoda.model.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One memory-mapped {@code .safetensors} file: its tensors as slices of the mapping. */
public final class SafetensorsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, TensorData> tensors;

    private SafetensorsFile(Map<String, TensorData> tensors) {
        this.tensors = tensors;
    }

    /** Maps the file into {@code arena}; the tensors live as long as the arena. */
    public static SafetensorsFile open(Path path, Arena arena) {
        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException e) {
            throw new PagodaException(path + ": cannot read: " + e.getMessage(), e);
        }
        if (seg.byteSize() < 8) throw new PagodaException(path + ": truncated safetensors file (" + seg.byteSize() + " bytes)");
        long headerLen = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen <= 0 || headerLen > seg.byteSize() - 8 || headerLen > 100_000_000) {
            throw new PagodaException(path + ": bad safetensors header length " + headerLen + " (file has "
                    + seg.byteSize() + " bytes): truncated or not a safetensors file");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(seg.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new PagodaException(path + ": malformed safetensors header JSON: " + e.getMessage(), e);
        }
        long dataStart = 8 + headerLen;
        long dataSize = seg.byteSize() - dataStart;
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (name.equals("__metadata__")) continue;
            JsonNode t = e.getValue();
            DType type = dtype(path, name, t.path("dtype").asText());
            JsonNode shapeNode = t.path("shape");
            long[] shape = new long[shapeNode.size()];
            long count = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong();
                count *= shape[i];
            }
            long begin = t.path("data_offsets").path(0).asLong(-1);
            long end = t.path("data_offsets").path(1).asLong(-1);
            if (begin < 0 || end < begin) {
                throw new PagodaException(path + ": tensor '" + name + "' has bad data_offsets " + t.path("data_offsets"));
            }
            if (end > dataSize) {
                throw new PagodaException(path + ": tensor '" + name + "' data ends at byte " + end + " of the data section, which has only "
                        + dataSize + " bytes: truncated file?");
            }
            long expected = type.bytesFor(count);
            if (end - begin != expected) {
                throw new PagodaException(path + ": tensor '" + name + "' has shape " + shapeNode + " of " + type + " (" + expected
                        + " bytes) but its data_offsets span " + (end - begin) + " bytes");
            }
            ranges.add(new long[]{begin, end, names.size()});
            names.add(name);
            tensors.put(name, new TensorData(name, type, shape, seg.asSlice(dataStart + begin, end - begin)));
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] < ranges.get(i - 1)[1]) {
                throw new PagodaException(path + ": tensors '" + names.get((int) ranges.get(i - 1)[2]) + "' and '"
                        + names.get((int) ranges.get(i)[2]) + "' overlap in the file");
            }
        }
        return new SafetensorsFile(tensors);
    }

    public Map<String, TensorData> tensors() {
        return tensors;
    }

    private static DType dtype(Path path, String tensor, String name) {
        return switch (name) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default -> throw new PagodaException(path + ": tensor '" + tensor + "' has dtype '" + name
                    + "', which Pagoda does not load (supported: F32, F16, BF16)");
        };
    }
}
