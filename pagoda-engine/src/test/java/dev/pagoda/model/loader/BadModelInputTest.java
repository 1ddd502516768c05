package dev.pagoda.model.loader;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.PagodaException;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.LLM;
import dev.pagoda.model.ModelWeights;
import dev.pagoda.testutil.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every class of bad model input fails with one message naming the file and the problem. */
class BadModelInputTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    /** A copy of the llama-gqa HF fixture whose config.json is edited by {@code edit}. */
    Path hfWithConfig(Consumer<ObjectNode> edit) throws IOException {
        Path src = Shared.path("models/fixtures/llama-gqa/hf");
        Path dir = Files.createDirectories(tmp.resolve("model"));
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) Files.copy(f, dir.resolve(f.getFileName()));
        }
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        edit.accept(config);
        Files.delete(dir.resolve("config.json"));
        JSON.writeValue(dir.resolve("config.json").toFile(), config);
        return dir;
    }

    static String failure(Path model) {
        PagodaException e = assertThrows(PagodaException.class, () -> {
            try (Checkpoint c = Checkpoint.open(model); ModelWeights w = ModelWeights.bind(c, null)) {
                // opened without complaint: the assertion fails
            }
        });
        return e.getMessage();
    }

    static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "message should mention '" + p + "': " + message);
    }

    @Test
    void missingConfig() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        assertMentions(failure(dir), dir.toString(), "missing config.json");
    }

    @Test
    void malformedConfig() throws IOException {
        Path dir = hfWithConfig(c -> { });
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\",");
        assertMentions(failure(dir), "config.json", "malformed JSON");
    }

    @Test
    void missingKey() throws IOException {
        assertMentions(failure(hfWithConfig(c -> c.remove("hidden_size"))), "config.json", "missing 'hidden_size'");
    }

    @Test
    void unknownArchitecture() throws IOException {
        assertMentions(failure(hfWithConfig(c -> c.putArray("architectures").add("GPT2LMHeadModel"))),
                "config.json", "architecture 'GPT2LMHeadModel' is not supported");
    }

    @Test
    void unsupportedRopeScaling() throws IOException {
        assertMentions(failure(hfWithConfig(c -> c.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0))),
                "config.json", "rope_scaling type 'yarn' is not supported");
    }

    @Test
    void slidingWindow() throws IOException {
        assertMentions(failure(hfWithConfig(c -> c.put("sliding_window", 4096))), "config.json", "'sliding_window' = 4096");
    }

    @Test
    void mixtureOfExperts() throws IOException {
        assertMentions(failure(hfWithConfig(c -> c.put("num_local_experts", 8))), "config.json", "'num_local_experts' = 8",
                "mixture-of-experts");
    }

    @Test
    void shapeMismatch() throws IOException {
        assertMentions(failure(hfWithConfig(c -> c.put("intermediate_size", 128))),
                "model.layers.0.mlp.gate_proj.weight", "has shape [160, 64], expected [128, 64]");
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path dir = hfWithConfig(c -> { });
        Path st = dir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(bytes, bytes.length - 1000));
        assertMentions(failure(dir), "model.safetensors", "truncated");
    }

    @Test
    void overlappingSafetensorsTensors() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("overlap"));
        Files.copy(Shared.path("models/fixtures/llama-gqa/hf/config.json"), dir.resolve("config.json"));
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        writeSafetensors(dir.resolve("model.safetensors"), header, 24);
        assertMentions(failure(dir), "model.safetensors", "overlap");
    }

    @Test
    void unsupportedSafetensorsDtype() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("i8"));
        Files.copy(Shared.path("models/fixtures/llama-gqa/hf/config.json"), dir.resolve("config.json"));
        writeSafetensors(dir.resolve("model.safetensors"), "{\"a\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4);
        assertMentions(failure(dir), "model.safetensors", "dtype 'I8'");
    }

    @Test
    void ggufBadMagic() throws IOException {
        Path f = tmp.resolve("bad.gguf");
        Files.write(f, "GGML and then some bytes that are not a gguf header".getBytes(StandardCharsets.US_ASCII));
        assertMentions(failure(f), "bad.gguf", "bad magic");
    }

    @Test
    void ggufBadVersion() throws IOException {
        Path f = tmp.resolve("v9.gguf");
        byte[] bytes = Files.readAllBytes(Shared.path("models/fixtures/llama-gqa/gguf/model-f32.gguf"));
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 9);
        Files.write(f, bytes);
        assertMentions(failure(f), "v9.gguf", "unsupported GGUF version 9");
    }

    @Test
    void ggufTruncated() throws IOException {
        Path f = tmp.resolve("cut.gguf");
        byte[] bytes = Files.readAllBytes(Shared.path("models/fixtures/llama-gqa/gguf/model-f32.gguf"));
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertMentions(failure(f), "cut.gguf", "truncated");
    }

    @Test
    void ggufUnsupportedTensorType() throws IOException {
        // Rewrite the type of the first tensor in the header to Q4_K (12).
        Path f = tmp.resolve("q4k.gguf");
        byte[] bytes = Files.readAllBytes(Shared.path("models/fixtures/llama-gqa/gguf/model-f32.gguf"));
        try (GgufFile g = GgufFile.open(Shared.path("models/fixtures/llama-gqa/gguf/model-f32.gguf"))) {
            String first = g.tensors().keySet().iterator().next();
            int at = indexOf(bytes, first.getBytes(StandardCharsets.UTF_8)) + first.length();
            int dims = ByteBuffer.wrap(bytes, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 4 + 8 * dims, 12);
        }
        Files.write(f, bytes);
        assertMentions(failure(f), "q4k.gguf", "GGML type Q4_K", "does not implement");
    }

    @Test
    void ggufQ8_0BlockWithANonFiniteScale() throws IOException {
        // The first block of a Q8_0 matrix gets a NaN scale: the tiled layout cannot hold it (nor
        // would the model's outputs mean anything), so loading stops, naming file and tensor.
        Path src = Shared.path("models/fixtures/llama-gqa/gguf/model-q8_0.gguf"), f = tmp.resolve("nan-scale.gguf");
        byte[] bytes = Files.readAllBytes(src);
        String tensor = "blk.0.ffn_down.weight";
        try (GgufFile g = GgufFile.open(src)) {
            byte[] firstBlocks = g.tensors().get(tensor).data().asSlice(0, 4 * 34).toArray(ValueLayout.JAVA_BYTE);
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putShort(indexOf(bytes, firstBlocks), (short) 0x7E00);
        }
        Files.write(f, bytes);
        // (named as the engine names it, the Hugging Face way)
        assertMentions(failure(f), "nan-scale.gguf", "tensor 'model.layers.0.mlp.down_proj.weight'", "block 0 of row 0", "non-finite scale");
    }

    @Test
    void missingTokenizer() throws IOException {
        Path dir = hfWithConfig(c -> { });
        Files.delete(dir.resolve("tokenizer.json"));
        EngineArgs args = new EngineArgs().model(dir);
        args.kvCacheMemory = 1L << 20;
        PagodaException e = assertThrows(PagodaException.class, () -> new LLM(args).close());
        assertMentions(e.getMessage(), dir.toString(), "missing tokenizer.json");
    }

    @Test
    void missingPath() {
        assertMentions(failure(tmp.resolve("nope")), "nope", "no such file or directory");
    }

    static void writeSafetensors(Path file, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(h.length).put(h);
        Files.write(file, buf.array());
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }
}
