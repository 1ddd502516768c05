package dev.pagoda.model.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.model.loader.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    /** A safetensors file parsed independently of the writer: header JSON and the data section. */
    record Parsed(JsonNode header, ByteBuffer data) {
        static Parsed read(Path file) throws IOException {
            ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            long n = all.getLong(0);
            assertEquals(0, (8 + n) % 8, "header padded to 8 bytes");
            byte[] json = new byte[(int) n];
            all.get(8, json);
            JsonNode header = new ObjectMapper().readTree(json);
            ByteBuffer data = all.slice(8 + (int) n, all.capacity() - 8 - (int) n).order(ByteOrder.LITTLE_ENDIAN);
            return new Parsed(header, data);
        }

        /** Checks dtype sizes against shapes and that offsets tile the data section exactly. */
        void checkLayout() {
            List<long[]> ranges = new ArrayList<>();
            header.properties().forEach(e -> {
                if (e.getKey().equals("__metadata__")) return;
                JsonNode t = e.getValue();
                long count = 1;
                for (JsonNode d : t.get("shape")) count *= d.asLong();
                int width = switch (t.get("dtype").asText()) {
                    case "F32" -> 4;
                    case "F16", "BF16" -> 2;
                    default -> throw new AssertionError(t);
                };
                long begin = t.get("data_offsets").get(0).asLong(), end = t.get("data_offsets").get(1).asLong();
                assertEquals(count * width, end - begin, e.getKey() + " byte size");
                ranges.add(new long[] {begin, end});
            });
            ranges.sort((a, b) -> Long.compare(a[0], b[0]));
            long at = 0;
            for (long[] r : ranges) {
                assertEquals(at, r[0], "contiguous offsets");
                at = r[1];
            }
            assertEquals(data.capacity(), at, "data section ends with the last tensor");
        }
    }

    private static SafetensorsWriter.Tensor tensor(String name, DType dtype, long[] shape, float first) {
        return new SafetensorsWriter.Tensor(name, dtype, shape, () -> new SafetensorsWriter.Values() {
            float next = first;

            @Override
            public void next(float[] dst, int count) {
                for (int i = 0; i < count; i++) dst[i] = next++;
            }
        });
    }

    @Test
    void writesHeaderAndValuesOfEveryDtype() throws IOException {
        // 70000 values span two write chunks.
        List<SafetensorsWriter.Tensor> tensors = List.of(
                tensor("a", DType.F32, new long[] {7, 10000}, 0),
                tensor("b", DType.BF16, new long[] {3}, 1),
                tensor("c", DType.F16, new long[] {2, 2}, -2));
        List<Path> files = SafetensorsWriter.write(dir, tensors, 0);
        assertEquals(List.of(dir.resolve("model.safetensors")), files);
        Parsed p = Parsed.read(files.get(0));
        p.checkLayout();
        assertEquals("pt", p.header().get("__metadata__").get("format").asText());
        assertEquals("[7,10000]", p.header().get("a").get("shape").toString());
        assertEquals("BF16", p.header().get("b").get("dtype").asText());
        assertEquals(69999f, p.data().getFloat(69999 * 4));
        long b = p.header().get("b").get("data_offsets").get(0).asLong();
        assertEquals((short) 0x3F80, p.data().getShort((int) b)); // 1.0
        assertEquals((short) 0x4040, p.data().getShort((int) b + 4)); // 3.0
        long c = p.header().get("c").get("data_offsets").get(0).asLong();
        assertEquals(-2f, Float.float16ToFloat(p.data().getShort((int) c)));
        assertEquals(1f, Float.float16ToFloat(p.data().getShort((int) c + 6)));
        try (Stream<Path> list = Files.list(dir)) {
            assertEquals(1, list.count(), "no temporary files left");
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, SafetensorsWriter.toBf16(Float.intBitsToFloat(0x3F808000))); // tie, even below
        assertEquals((short) 0x3F82, SafetensorsWriter.toBf16(Float.intBitsToFloat(0x3F818000))); // tie, even above
        assertEquals((short) 0x3F81, SafetensorsWriter.toBf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals((short) 0xC000, SafetensorsWriter.toBf16(-2f));
        assertTrue(Float.isNaN(Float.intBitsToFloat(SafetensorsWriter.toBf16(Float.NaN) << 16)));
    }

    @Test
    void shardsWithAnIndex() throws IOException {
        List<SafetensorsWriter.Tensor> tensors = List.of(
                tensor("x.0", DType.F32, new long[] {100}, 0), // 400 bytes
                tensor("x.1", DType.F32, new long[] {100}, 0),
                tensor("x.2", DType.F32, new long[] {300}, 0), // 1200 bytes: a shard of its own
                tensor("x.3", DType.F32, new long[] {10}, 0));
        List<Path> files = SafetensorsWriter.write(dir, tensors, 1000);
        assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                        "model-00003-of-00003.safetensors", "model.safetensors.index.json"),
                files.stream().map(f -> f.getFileName().toString()).toList());
        JsonNode index = new ObjectMapper().readTree(files.get(3).toFile());
        assertEquals(400 + 400 + 1200 + 40, index.get("metadata").get("total_size").asLong());
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 3; i++) {
            Parsed p = Parsed.read(files.get(i));
            p.checkLayout();
            String shard = files.get(i).getFileName().toString();
            p.header().fieldNames().forEachRemaining(n -> {
                if (n.equals("__metadata__")) return;
                seen.add(n);
                assertEquals(shard, index.get("weight_map").get(n).asText());
            });
        }
        assertEquals(Set.of("x.0", "x.1", "x.2", "x.3"), seen);
        assertEquals(4, index.get("weight_map").size());
    }

    @Test
    void failureLeavesNoFiles() {
        List<SafetensorsWriter.Tensor> tensors = List.of(
                tensor("ok", DType.F32, new long[] {10}, 0),
                new SafetensorsWriter.Tensor("bad", DType.F32, new long[] {10}, () -> (dst, count) -> {
                    throw new IllegalStateException("generator failed");
                }));
        assertThrows(IllegalStateException.class, () -> SafetensorsWriter.write(dir, tensors, 0));
        assertThrows(IllegalStateException.class, () -> SafetensorsWriter.write(dir, tensors, 20));
        assertEquals(0, dir.toFile().list().length, "directory left empty");
    }

    @Test
    void rejectsDuplicateNamesAndQuantizedTypes() {
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(dir,
                List.of(tensor("a", DType.F32, new long[] {1}, 0), tensor("a", DType.F32, new long[] {1}, 0)), 0));
        assertThrows(IllegalArgumentException.class, () -> tensor("q", DType.Q8_0, new long[] {32}, 0));
    }
}
