package dev.pagoda.model.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.PagodaException;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.synthetic.SafetensorsWriterTest.Parsed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticModelTest {
    private static final Path TOKENIZERS = Path.of(System.getProperty("pagoda.shared", "../../shared"), "tokenizers");

    @TempDir
    Path dir;

    /**
     * The HF tensor names and shapes a checkpoint must have, spelled out here independently of
     * {@link ModelShape#tensors()}: hidden h, layers, heads n, kv heads k, head_dim d, intermediate i.
     */
    private static Map<String, String> expectedTensors(String like, int h, int layers, int n, int k, int d, int i, int vocab) {
        Map<String, String> m = new TreeMap<>();
        m.put("model.embed_tokens.weight", "[" + vocab + "," + h + "]");
        m.put("model.norm.weight", "[" + h + "]");
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            m.put(p + "input_layernorm.weight", "[" + h + "]");
            m.put(p + "post_attention_layernorm.weight", "[" + h + "]");
            m.put(p + "self_attn.q_proj.weight", "[" + n * d + "," + h + "]");
            m.put(p + "self_attn.k_proj.weight", "[" + k * d + "," + h + "]");
            m.put(p + "self_attn.v_proj.weight", "[" + k * d + "," + h + "]");
            m.put(p + "self_attn.o_proj.weight", "[" + h + "," + n * d + "]");
            m.put(p + "mlp.gate_proj.weight", "[" + i + "," + h + "]");
            m.put(p + "mlp.up_proj.weight", "[" + i + "," + h + "]");
            m.put(p + "mlp.down_proj.weight", "[" + h + "," + i + "]");
            if (like.startsWith("qwen2")) {
                m.put(p + "self_attn.q_proj.bias", "[" + n * d + "]");
                m.put(p + "self_attn.k_proj.bias", "[" + k * d + "]");
                m.put(p + "self_attn.v_proj.bias", "[" + k * d + "]");
            }
            if (like.startsWith("qwen3")) {
                m.put(p + "self_attn.q_norm.weight", "[" + d + "]");
                m.put(p + "self_attn.k_norm.weight", "[" + d + "]");
            }
        }
        return m; // all three catalogued models tie the embedding: no lm_head.weight
    }

    @ParameterizedTest
    @CsvSource({
            // like, tokenizer, heads, kv heads, head_dim, intermediate (hidden 64 of 896/1024/2048), vocab
            "qwen2.5-0.5b, qwen2.5,  1, 1,  64, 352, 151936",
            "qwen3-0.6b,   qwen3,    1, 1, 128, 192, 151936",
            "llama-3.2-1b, llama3.2, 1, 1,  64, 256, 128256"})
    void writesTheRealTensorNamesAndShapes(String like, String tokenizer, int heads, int kvHeads, int headDim,
                                           int intermediate, int vocab) throws IOException {
        ModelShape shape = ModelShape.like(like).withLayers(2).withHidden(64);
        SyntheticModel.Written written = new SyntheticModel(shape, DType.BF16, 0, 0)
                .write(TokenizerFiles.read(TOKENIZERS.resolve(tokenizer)), dir);

        Parsed p = Parsed.read(dir.resolve("model.safetensors"));
        p.checkLayout();
        Map<String, String> actual = new TreeMap<>();
        p.header().properties().forEach(e -> {
            if (e.getKey().equals("__metadata__")) return;
            assertEquals("BF16", e.getValue().get("dtype").asText());
            actual.put(e.getKey(), e.getValue().get("shape").toString());
        });
        assertEquals(expectedTensors(like, 64, 2, heads, kvHeads, headDim, intermediate, vocab), actual);
        long params = actual.values().stream()
                .mapToLong(s -> Arrays.stream(s.replaceAll("[\\[\\]]", "").split(",")).mapToLong(Long::parseLong)
                        .reduce(1, (a, b) -> a * b))
                .sum();
        assertEquals(params, written.parameters());
        assertEquals(2 * params, p.data().capacity());

        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals(64, config.get("hidden_size").asInt());
        assertEquals(2, config.get("num_hidden_layers").asInt());
        assertEquals(heads, config.get("num_attention_heads").asInt());
        assertEquals(kvHeads, config.get("num_key_value_heads").asInt());
        assertEquals(intermediate, config.get("intermediate_size").asInt());
        assertEquals(vocab, config.get("vocab_size").asInt());
        assertEquals("bfloat16", config.get("torch_dtype").asText());
        assertEquals("silu", config.get("hidden_act").asText());
        assertTrue(config.get("tie_word_embeddings").asBoolean());
        assertEquals(!like.startsWith("qwen2"), config.has("head_dim"));
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json"}) {
            assertEquals(Files.mismatch(TOKENIZERS.resolve(tokenizer).resolve(f), dir.resolve(f)), -1L, f + " copied");
        }
        JsonNode generation = new ObjectMapper().readTree(dir.resolve("generation_config.json").toFile());
        assertEquals(config.get("eos_token_id"), generation.get("eos_token_id"));
        assertFalse(generation.get("do_sample").asBoolean());
    }

    @Test
    void configsCarryTheRealHyperparameters() {
        Map<String, Object> qwen2 = ModelShape.like("qwen2.5-0.5b").configJson(DType.BF16);
        assertEquals(List.of("Qwen2ForCausalLM"), qwen2.get("architectures"));
        assertEquals(32768, qwen2.get("max_position_embeddings"));
        assertEquals(1e-6, qwen2.get("rms_norm_eps"));
        assertEquals(false, qwen2.get("use_sliding_window"));
        assertEquals(21, qwen2.get("max_window_layers"));
        Map<String, Object> qwen3 = ModelShape.like("qwen3-0.6b").configJson(DType.F32);
        assertEquals(128, qwen3.get("head_dim"));
        assertEquals(151645, qwen3.get("eos_token_id"));
        assertEquals("float32", qwen3.get("torch_dtype"));
        Map<String, Object> llama = ModelShape.like("llama-3.2-1b").configJson(DType.BF16);
        assertEquals(500000.0, llama.get("rope_theta"));
        assertEquals(1e-5, llama.get("rms_norm_eps"));
        assertEquals(Map.of("factor", 32.0, "low_freq_factor", 1.0, "high_freq_factor", 4.0,
                "original_max_position_embeddings", 8192, "rope_type", "llama3"), llama.get("rope_scaling"));
    }

    @Test
    void fullSizeShapesWithoutWriting() {
        ModelShape qwen = ModelShape.like("qwen2.5-0.5b");
        assertEquals(494_032_768L, qwen.parameterCount()); // Qwen2.5-0.5B: 0.49B, the tied embedding counted once
        assertEquals(24 * 12 + 2, qwen.tensors().size());
        Map<String, long[]> shapes = new TreeMap<>();
        qwen.tensors().forEach(t -> shapes.put(t.name(), t.shape()));
        assertArrayEquals(new long[] {151936, 896}, shapes.get("model.embed_tokens.weight"));
        assertArrayEquals(new long[] {128, 896}, shapes.get("model.layers.23.self_attn.k_proj.weight"));
        assertArrayEquals(new long[] {4864, 896}, shapes.get("model.layers.0.mlp.up_proj.weight"));
        assertEquals(988_065_536L, new SyntheticModel(qwen, DType.BF16, 0, 0).weightBytes());

        ModelShape qwen3 = ModelShape.like("qwen3-0.6b");
        assertEquals(596_049_920L, qwen3.parameterCount());
        qwen3.tensors().forEach(t -> shapes.put(t.name(), t.shape()));
        assertArrayEquals(new long[] {2048, 1024}, shapes.get("model.layers.27.self_attn.q_proj.weight"));
        assertArrayEquals(new long[] {1024, 2048}, shapes.get("model.layers.27.self_attn.o_proj.weight"));
        assertArrayEquals(new long[] {128}, shapes.get("model.layers.27.self_attn.k_norm.weight"));
        assertEquals(1_235_814_400L, ModelShape.like("llama-3.2-1b").parameterCount()); // Llama 3.2 1B: 1.24B
    }

    @Test
    void hiddenOverrideScalesHeadsAndIntermediate() {
        ModelShape s = ModelShape.like("qwen2.5-0.5b").withHidden(128);
        assertEquals(2, s.numHeads());
        assertEquals(1, s.numKvHeads());
        assertEquals(64, s.headDim());
        assertEquals(704, s.intermediateSize()); // 4864 * 128 / 896 = 694.9 -> 22 * 32
        ModelShape l = ModelShape.like("llama-3.2-1b").withHidden(1024);
        assertEquals(16, l.numHeads());
        assertEquals(4, l.numKvHeads());
        assertEquals(4096, l.intermediateSize());
        assertEquals(ModelShape.like("qwen3-0.6b"), ModelShape.like("qwen3-0.6b").withHidden(1024));
        assertThrows(IllegalArgumentException.class, () -> ModelShape.like("qwen2.5-0.5b").withHidden(100));
        assertThrows(IllegalArgumentException.class, () -> ModelShape.like("qwen2.5-0.5b").withLayers(0));
        assertThrows(IllegalArgumentException.class, () -> ModelShape.like("gpt-5"));
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws IOException {
        ModelShape shape = ModelShape.like("qwen3-0.6b").withLayers(1).withHidden(64);
        Path a = write(shape, 7, "a"), b = write(shape, 7, "b"), c = write(shape, 8, "c");
        assertEquals(-1L, Files.mismatch(a, b));
        assertTrue(Files.mismatch(a, c) >= 0);
        assertEquals(Files.size(a), Files.size(c));
    }

    private Path write(ModelShape shape, long seed, String sub) throws IOException {
        Path out = Files.createDirectories(dir.resolve(sub));
        return SafetensorsWriter.write(out, new SyntheticModel(shape, DType.F32, seed, 0).tensors(new BitSet()), 0).get(0);
    }

    /** Draws a tensor's values; checks mean and variance against the rule within 5 standard errors. */
    private static void checkMoments(ModelShape model, ModelShape.TensorShape t, double mean, double variance) {
        int n = Math.toIntExact(t.count());
        float[] v = new float[n];
        Weights.values(3, model, t, new BitSet()).next(v, n);
        double sum = 0, sq = 0;
        for (float x : v) sum += x;
        double m = sum / n;
        for (float x : v) sq += (x - m) * (x - m);
        double var = sq / (n - 1);
        assertEquals(mean, m, 5 * Math.sqrt(variance / n), t.name() + " mean");
        assertEquals(variance, var, 5 * variance * Math.sqrt(2.0 / n), t.name() + " variance");
    }

    @Test
    void weightStatisticsFollowTheInitialisation() {
        ModelShape qwen = ModelShape.like("qwen2.5-0.5b");
        Map<String, ModelShape.TensorShape> byName = new TreeMap<>();
        qwen.tensors().forEach(t -> byName.put(t.name(), t));
        checkMoments(qwen, byName.get("model.layers.3.self_attn.q_proj.weight"), 0, 1.0 / 896);
        checkMoments(qwen, byName.get("model.layers.3.mlp.gate_proj.weight"), 0, 1.0 / 896);
        double gain = 64 / Math.sqrt(24);
        checkMoments(qwen, byName.get("model.layers.3.mlp.down_proj.weight"), 0, gain * gain / 4864);
        checkMoments(qwen, byName.get("model.layers.3.self_attn.q_proj.bias"), 0, 0.04);
        checkMoments(qwen, byName.get("model.layers.3.input_layernorm.weight"), 1, 0.01);
    }

    @Test
    void specialAndPaddingRowsAreQuiet() {
        ModelShape qwen = ModelShape.like("qwen2.5-0.5b").withHidden(64);
        ModelShape.TensorShape embed = qwen.tensors().get(0);
        TokenizerFiles tokenizer = TokenizerFiles.read(TOKENIZERS.resolve("qwen2.5"));
        assertEquals(151665, tokenizer.size());
        BitSet quiet = tokenizer.quietRows(qwen.vocabSize());
        assertEquals(151936 - 151643, quiet.cardinality()); // 22 added tokens + 271 unused ids
        float[] v = new float[Math.toIntExact(embed.count())];
        Weights.values(0, qwen, embed, quiet).next(v, v.length);
        double loud = rowRms(v, 0, 151643), soft = rowRms(v, 151643, 151936);
        assertEquals(3 / Math.sqrt(64), loud, 0.01); // the tied embedding is the output projection
        assertEquals(Weights.QUIET, soft / loud, 0.02);
    }

    private static double rowRms(float[] v, int fromRow, int toRow) {
        double sq = 0;
        for (int i = fromRow * 64; i < toRow * 64; i++) sq += v[i] * v[i];
        return Math.sqrt(sq / ((toRow - fromRow) * 64.0));
    }

    @Test
    void rejectsATokenizerOfAnotherModel() {
        ModelShape qwen = ModelShape.like("qwen2.5-0.5b").withLayers(1).withHidden(64);
        ModelShape llama = ModelShape.like("llama-3.2-1b").withLayers(1).withHidden(64);
        PagodaException noBos = assertThrows(PagodaException.class,
                () -> new SyntheticModel(qwen, DType.BF16, 0, 0).write(TokenizerFiles.read(TOKENIZERS.resolve("llama3.2")), dir));
        assertTrue(noBos.getMessage().contains("no token 151643"), noBos.getMessage());
        PagodaException tooBig = assertThrows(PagodaException.class,
                () -> new SyntheticModel(llama, DType.BF16, 0, 0).write(TokenizerFiles.read(TOKENIZERS.resolve("qwen3")), dir));
        assertTrue(tooBig.getMessage().contains("151669 token ids"), tooBig.getMessage());
        assertThrows(PagodaException.class, () -> TokenizerFiles.read(dir));
        assertEquals(0, dir.toFile().list().length, "nothing written");
    }
}
