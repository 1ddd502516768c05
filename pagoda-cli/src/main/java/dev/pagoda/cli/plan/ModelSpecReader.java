package dev.pagoda.cli.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.PagodaException;
import dev.pagoda.config.HfConfigReader;
import dev.pagoda.model.loader.GgufFile;
import dev.pagoda.model.loader.SafetensorsFile;
import dev.pagoda.model.loader.TensorData;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Reads a {@link ModelSpec} from a Hugging Face config.json (a directory's, or a catalogue
 * entry), or from a GGUF file's metadata. Anything it cannot size is refused by name: multi-head
 * latent attention, state-space layers, MoE spellings it does not know, missing shape keys.
 */
public final class ModelSpecReader {
    private ModelSpecReader() {
    }

    /** A model directory (config.json, with the safetensors' exact weight size when present), a .gguf, or a directory with one .gguf. */
    public static ModelSpec read(Path path) {
        if (!Files.exists(path)) throw new PagodaException(path + ": no such file or directory");
        if (Files.isRegularFile(path)) {
            if (path.getFileName().toString().endsWith(".json")) return fromHfConfig(path.toString(), HfConfigReader.readJson(path), null);
            return fromGguf(path);
        }
        if (Files.isRegularFile(path.resolve("config.json"))) {
            return fromHfConfig(path.toString(), HfConfigReader.readJson(path.resolve("config.json")), safetensorsBytes(path));
        }
        try (Stream<Path> s = Files.list(path)) {
            List<Path> ggufs = s.filter(p -> p.getFileName().toString().endsWith(".gguf")).toList();
            if (ggufs.size() == 1) return fromGguf(ggufs.getFirst());
        } catch (IOException e) {
            throw new PagodaException(path + ": cannot list directory: " + e.getMessage(), e);
        }
        throw new PagodaException(path + ": neither a Hugging Face directory (config.json) nor a single .gguf");
    }

    /** Bytes of tensor data in the directory's safetensors (as the engine maps them), or null when there are none. */
    private static Long safetensorsBytes(Path dir) {
        Set<Path> files = new TreeSet<>();
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(index)) {
            HfConfigReader.readJson(index).path("weight_map").forEach(f -> files.add(dir.resolve(f.asText())));
        } else if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            files.add(dir.resolve("model.safetensors"));
        }
        if (files.isEmpty() || !files.stream().allMatch(Files::isRegularFile)) return null;
        long n = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (Path f : files) {
                for (TensorData t : SafetensorsFile.open(f, arena).tensors().values()) n += t.data().byteSize();
            }
        }
        return n;
    }

    /** A config.json object (multimodal configs: their text_config, merged over the top level). */
    public static ModelSpec fromHfConfig(String name, JsonNode config, Long checkpointBytes) {
        JsonNode c = config;
        String arch = config.path("architectures").path(0).asText("");
        if (config.path("text_config").isObject()) {
            ObjectNode merged = ((ObjectNode) config).deepCopy();
            merged.remove("text_config");
            config.get("text_config").properties().forEach(e -> merged.set(e.getKey(), e.getValue()));
            c = merged;
        }
        String type = c.path("model_type").asText("").toLowerCase(Locale.ROOT);
        refuseUnsizable(name, c, arch);
        int hidden = positive(name, c, "hidden_size");
        int layers = positive(name, c, "num_hidden_layers");
        int heads = positive(name, c, "num_attention_heads");
        int kvHeads = c.hasNonNull("num_key_value_heads") ? positive(name, c, "num_key_value_heads") : heads;
        int headDim = c.hasNonNull("head_dim") ? positive(name, c, "head_dim") : hidden / heads;
        int intermediate = positive(name, c, "intermediate_size");
        int vocab = positive(name, c, "vocab_size");
        int maxPositions = positive(name, c, "max_position_embeddings");
        if (heads % kvHeads != 0) {
            throw new PagodaException(name + ": cannot size: num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        boolean encoder = arch.contains("Bert") || arch.contains("Roberta") || Set.of("bert", "roberta", "xlm-roberta").contains(type);
        boolean gemma3 = type.startsWith("gemma3");
        boolean glm4 = type.equals("glm4");
        String dtype = c.path("torch_dtype").asText(c.path("dtype").asText("float32"));
        return new ModelSpec(name, arch.isEmpty() ? type : arch, layers, hidden, intermediate, heads, kvHeads, headDim, vocab,
                maxPositions,
                c.path("tie_word_embeddings").asBoolean(gemma3),
                gemma3 || glm4 ? 4 : 2,
                gemma3 || type.startsWith("qwen3"),
                c.path("attention_bias").asBoolean(false) || type.startsWith("qwen2"),
                moe(name, c, layers, intermediate),
                encoder ? null : sliding(name, c, type, layers),
                encoder ? new ModelSpec.Encoder(c.path("type_vocab_size").asInt(2)) : null,
                checkpointBytes, dtype);
    }

    private static void refuseUnsizable(String name, JsonNode c, String arch) {
        if (c.hasNonNull("kv_lora_rank")) {
            throw new PagodaException(name + ": cannot size " + arch + ": multi-head latent attention ('kv_lora_rank' = "
                    + c.get("kv_lora_rank") + ") caches a compressed latent, not K and V per head; this planner sizes MHA/GQA/MQA only");
        }
        for (String key : List.of("ssm_state_size", "state_size", "hybrid_override_pattern", "linear_attention")) {
            if (c.has(key)) throw new PagodaException(name + ": cannot size " + arch + ": state-space or linear-attention layers ('" + key + "')");
        }
        if (c.hasNonNull("n_routed_experts")) {
            throw new PagodaException(name + ": cannot size " + arch + ": 'n_routed_experts' (DeepSeek-style MoE) is not sized; "
                    + "known MoE spellings: num_local_experts (Mixtral), num_experts (Qwen MoE)");
        }
    }

    private static ModelSpec.Moe moe(String name, JsonNode c, int layers, int intermediate) {
        if (c.path("num_local_experts").asInt(0) > 0) { // Mixtral: every layer, experts of intermediate_size
            return new ModelSpec.Moe(c.get("num_local_experts").asInt(), positive(name, c, "num_experts_per_tok"), intermediate, 0, layers);
        }
        if (c.path("num_experts").asInt(0) > 0) { // Qwen2-MoE / Qwen3-MoE
            Set<Integer> mlpOnly = new HashSet<>();
            c.path("mlp_only_layers").forEach(n -> mlpOnly.add(n.asInt()));
            int step = c.path("decoder_sparse_step").asInt(1);
            int moeLayers = 0;
            for (int i = 0; i < layers; i++) if (!mlpOnly.contains(i) && (i + 1) % step == 0) moeLayers++;
            return new ModelSpec.Moe(c.get("num_experts").asInt(), positive(name, c, "num_experts_per_tok"),
                    positive(name, c, "moe_intermediate_size"), c.path("shared_expert_intermediate_size").asInt(0), moeLayers);
        }
        return null;
    }

    /**
     * Which layers slide: {@code layer_types} when given; Gemma 3: all but every
     * {@code sliding_window_pattern}-th (default 6); Qwen2/3: layers from {@code max_window_layers}
     * on, only with {@code use_sliding_window}; otherwise a non-null {@code sliding_window} applies to every layer.
     */
    private static ModelSpec.Sliding sliding(String name, JsonNode c, String type, int layers) {
        if (!c.hasNonNull("sliding_window")) return null;
        int window = positive(name, c, "sliding_window");
        int sliding;
        if (c.path("layer_types").isArray()) {
            sliding = 0;
            for (JsonNode t : c.get("layer_types")) if (t.asText().equals("sliding_attention")) sliding++;
        } else if (type.startsWith("gemma3")) {
            sliding = layers - layers / c.path("sliding_window_pattern").asInt(6);
        } else if (type.startsWith("qwen")) {
            sliding = c.path("use_sliding_window").asBoolean(false) ? layers - Math.min(layers, c.path("max_window_layers").asInt(layers)) : 0;
        } else {
            sliding = layers;
        }
        return sliding == 0 ? null : new ModelSpec.Sliding(window, sliding);
    }

    /** A GGUF file: shapes from the metadata, the exact weight size from the tensors (as the engine counts them). */
    public static ModelSpec fromGguf(Path file) {
        try (GgufFile gguf = GgufFile.open(file)) {
            Map<String, Object> md = gguf.metadata();
            String where = file.toString();
            if (!(md.get("general.architecture") instanceof String arch)) throw new PagodaException(where + ": cannot size: missing 'general.architecture'");
            String p = arch + ".";
            int layers = (int) number(md, where, p + "block_count");
            int hidden = (int) number(md, where, p + "embedding_length");
            int heads = (int) number(md, where, p + "attention.head_count");
            int kvHeads = md.containsKey(p + "attention.head_count_kv") ? (int) number(md, where, p + "attention.head_count_kv") : heads;
            int headDim = md.containsKey(p + "attention.key_length") ? (int) number(md, where, p + "attention.key_length") : hidden / heads;
            int ffn = (int) number(md, where, p + "feed_forward_length");
            TensorData embed = gguf.tensors().get("token_embd.weight");
            if (embed == null) throw new PagodaException(where + ": cannot size: missing tensor 'token_embd.weight'");
            long bytes = 0;
            for (TensorData t : gguf.tensors().values()) if (!t.name().equals("rope_freqs.weight")) bytes += t.data().byteSize();
            ModelSpec.Moe moe = md.containsKey(p + "expert_count") && number(md, where, p + "expert_count") > 0
                    ? new ModelSpec.Moe((int) number(md, where, p + "expert_count"), (int) number(md, where, p + "expert_used_count"),
                    md.containsKey(p + "expert_feed_forward_length") ? (int) number(md, where, p + "expert_feed_forward_length") : ffn, 0, layers)
                    : null;
            ModelSpec.Sliding sliding = null;
            if (md.containsKey(p + "attention.sliding_window")) {
                int window = (int) number(md, where, p + "attention.sliding_window");
                sliding = new ModelSpec.Sliding(window, arch.equals("gemma3") ? layers - layers / 6 : layers);
            }
            return new ModelSpec(where, arch, layers, hidden, ffn, heads, kvHeads, headDim, (int) embed.shape()[0],
                    md.containsKey(p + "context_length") ? (int) number(md, where, p + "context_length") : 2048,
                    !gguf.tensors().containsKey("output.weight"), 2, false, false, moe, sliding, null, bytes,
                    embed.type().name().toLowerCase(Locale.ROOT));
        }
    }

    private static long number(Map<String, Object> md, String where, String key) {
        Object v = md.get(key);
        if (v instanceof Long l) return l;
        if (v instanceof Double d) return d.longValue();
        throw new PagodaException(where + ": cannot size: metadata '" + key + "' is " + (v == null ? "missing" : "not a number: " + v));
    }

    private static int positive(String name, JsonNode c, String key) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) throw new PagodaException(name + ": cannot size: missing '" + key + "'");
        if (!v.canConvertToInt() || v.asInt() <= 0) throw new PagodaException(name + ": cannot size: '" + key + "' must be a positive integer, got " + v);
        return v.asInt();
    }
}
