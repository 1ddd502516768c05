package dev.pagoda.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.PagodaException;
import dev.pagoda.model.loader.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelConfig}, refusing every feature
 * the engine does not implement by name rather than producing wrong text.
 */
public final class HfConfigReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keys whose presence (with a positive value) marks a mixture-of-experts model. */
    private static final List<String> MOE_KEYS = List.of("num_local_experts", "num_experts", "n_routed_experts",
            "moe_intermediate_size", "num_experts_per_tok");

    private HfConfigReader() {
    }

    public static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) throw new PagodaException(file + ": file not found");
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) throw new PagodaException(file + ": malformed JSON: not an object");
            return node;
        } catch (IOException e) {
            throw new PagodaException(file + ": malformed JSON: " + firstLine(e.getMessage()), e);
        }
    }

    public static ModelConfig read(Path configJson) {
        JsonNode c = readJson(configJson);
        String where = configJson.toString();
        JsonNode archs = c.path("architectures");
        if (!archs.isArray() || archs.isEmpty()) throw new PagodaException(where + ": missing 'architectures'");
        String archName = archs.get(0).asText();
        Architecture arch = Architecture.fromHfName(archName);
        if (arch == null) {
            throw new PagodaException(where + ": architecture '" + archName + "' is not supported (supported: "
                    + Architecture.supportedHfNames() + ")");
        }
        for (String key : MOE_KEYS) {
            if (c.path(key).asInt(0) > 0) {
                throw new PagodaException(where + ": '" + key + "' = " + c.get(key)
                        + ": mixture-of-experts models are not supported yet");
            }
        }
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) throw unsupported(where, "hidden_act", c.get("hidden_act"));
        if (c.path("mlp_bias").asBoolean(false)) throw unsupported(where, "mlp_bias", c.get("mlp_bias"));
        if (arch != Architecture.QWEN2 && c.path("attention_bias").asBoolean(false)) {
            throw unsupported(where, "attention_bias", c.get("attention_bias"));
        }
        checkSlidingWindow(where, c, arch);

        int hidden = requiredInt(where, c, "hidden_size");
        int heads = requiredInt(where, c, "num_attention_heads");
        int kvHeads = c.has("num_key_value_heads") && !c.get("num_key_value_heads").isNull()
                ? requiredInt(where, c, "num_key_value_heads") : heads;
        int headDim = c.hasNonNull("head_dim") ? requiredInt(where, c, "head_dim") : hidden / heads;
        if (heads % kvHeads != 0) {
            throw new PagodaException(where + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) throw new PagodaException(where + ": head_dim " + headDim + " must be even for RoPE");
        if (c.hasNonNull("partial_rotary_factor") && c.get("partial_rotary_factor").asDouble() != 1.0) {
            throw unsupported(where, "partial_rotary_factor", c.get("partial_rotary_factor"));
        }
        String dtypeName = c.path("torch_dtype").asText(c.path("dtype").asText("float32"));
        DType dtype;
        try {
            dtype = DType.parse(dtypeName);
        } catch (IllegalArgumentException e) {
            throw unsupported(where, "torch_dtype", c.get("torch_dtype"));
        }
        return new ModelConfig(arch, hidden,
                requiredInt(where, c, "intermediate_size"),
                requiredInt(where, c, "num_hidden_layers"),
                heads, kvHeads, headDim,
                requiredInt(where, c, "vocab_size"),
                c.path("max_position_embeddings").asInt(2048),
                (float) c.path("rms_norm_eps").asDouble(1e-6),
                c.path("rope_theta").asDouble(10000.0),
                ropeScaling(where, c),
                null,
                RopeLayout.HALF,
                c.path("tie_word_embeddings").asBoolean(false),
                dtype);
    }

    private static void checkSlidingWindow(String where, JsonNode c, Architecture arch) {
        JsonNode sw = c.get("sliding_window");
        if (sw == null || sw.isNull()) return;
        // Qwen2/Qwen3 configs carry a sliding_window that is only used when use_sliding_window is true.
        boolean used = switch (arch) {
            case QWEN2, QWEN3 -> c.path("use_sliding_window").asBoolean(false);
            default -> true;
        };
        if (used) {
            throw new PagodaException(where + ": 'sliding_window' = " + sw
                    + ": sliding-window attention is not supported yet");
        }
    }

    private static RopeScaling ropeScaling(String where, JsonNode c) {
        JsonNode rs = c.get("rope_scaling");
        if (rs == null || rs.isNull()) return null;
        String type = rs.path("rope_type").asText(rs.path("type").asText(""));
        if (type.equals("default")) return null;
        if (!type.equals("llama3")) {
            throw new PagodaException(where + ": rope_scaling type '" + type + "' is not supported (supported: llama3)");
        }
        for (String k : List.of("factor", "low_freq_factor", "high_freq_factor", "original_max_position_embeddings")) {
            if (!rs.hasNonNull(k)) throw new PagodaException(where + ": rope_scaling is missing '" + k + "'");
        }
        return new RopeScaling(rs.get("factor").asDouble(), rs.get("low_freq_factor").asDouble(),
                rs.get("high_freq_factor").asDouble(), rs.get("original_max_position_embeddings").asInt());
    }

    private static int requiredInt(String where, JsonNode c, String key) {
        JsonNode v = c.get(key);
        if (v == null || v.isNull()) throw new PagodaException(where + ": missing '" + key + "'");
        if (!v.canConvertToInt() || v.asInt() <= 0) {
            throw new PagodaException(where + ": '" + key + "' must be a positive integer, got " + v);
        }
        return v.asInt();
    }

    private static PagodaException unsupported(String where, String key, JsonNode value) {
        return new PagodaException(where + ": '" + key + "' = " + value + " is not supported");
    }

    private static String firstLine(String s) {
        int nl = s == null ? -1 : s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
