package dev.pagoda.config;

import dev.pagoda.PagodaException;
import dev.pagoda.model.loader.GgufFile;
import dev.pagoda.model.loader.TensorData;

import java.util.Map;

/** Reads a GGUF file's metadata into a {@link ModelConfig}. */
public final class GgufConfigReader {
    private GgufConfigReader() {
    }

    public static ModelConfig read(GgufFile gguf) {
        Map<String, Object> md = gguf.metadata();
        String where = gguf.path().toString();
        String archName = string(md, where, "general.architecture");
        Architecture arch = switch (archName) {
            case "llama" -> Architecture.LLAMA;
            case "qwen2" -> Architecture.QWEN2;
            case "qwen3" -> Architecture.QWEN3;
            default -> throw new PagodaException(where + ": general.architecture '" + archName
                    + "' is not supported (supported: llama, qwen2, qwen3)");
        };
        String p = archName + ".";
        if (md.containsKey(p + "expert_count") && number(md, p + "expert_count") > 0) {
            throw new PagodaException(where + ": '" + p + "expert_count' = " + md.get(p + "expert_count")
                    + ": mixture-of-experts models are not supported yet");
        }
        if (md.containsKey(p + "attention.sliding_window")) {
            throw new PagodaException(where + ": '" + p + "attention.sliding_window' = "
                    + md.get(p + "attention.sliding_window") + ": sliding-window attention is not supported yet");
        }
        Object scalingType = md.get(p + "rope.scaling.type");
        if (scalingType != null && !scalingType.equals("none")) {
            throw new PagodaException(where + ": '" + p + "rope.scaling.type' = '" + scalingType + "' is not supported");
        }
        int hidden = (int) number(md, where, p + "embedding_length");
        int heads = (int) number(md, where, p + "attention.head_count");
        int kvHeads = md.containsKey(p + "attention.head_count_kv") ? (int) number(md, p + "attention.head_count_kv") : heads;
        int headDim = md.containsKey(p + "attention.key_length") ? (int) number(md, p + "attention.key_length") : hidden / heads;
        if (md.containsKey(p + "rope.dimension_count") && number(md, p + "rope.dimension_count") != headDim) {
            throw new PagodaException(where + ": '" + p + "rope.dimension_count' = " + md.get(p + "rope.dimension_count")
                    + " differs from the head dimension " + headDim + ": partial rotary embeddings are not supported");
        }
        TensorData embed = gguf.tensors().get("token_embd.weight");
        if (embed == null) throw new PagodaException(where + ": missing tensor 'token_embd.weight'");
        int vocab = (int) embed.shape()[0];
        // llama.cpp's GGUF llama stores q/k rows permuted for adjacent-pair rotation; qwen uses NEOX (rotate-half).
        RopeLayout layout = arch == Architecture.LLAMA ? RopeLayout.ADJACENT : RopeLayout.HALF;
        return new ModelConfig(arch, hidden,
                (int) number(md, where, p + "feed_forward_length"),
                (int) number(md, where, p + "block_count"),
                heads, kvHeads, headDim, vocab,
                md.containsKey(p + "context_length") ? (int) number(md, p + "context_length") : 2048,
                md.containsKey(p + "attention.layer_norm_rms_epsilon")
                        ? (float) ((Double) md.get(p + "attention.layer_norm_rms_epsilon")).doubleValue() : 1e-5f,
                md.containsKey(p + "rope.freq_base") ? (Double) md.get(p + "rope.freq_base") : 10000.0,
                null, null, layout,
                !gguf.tensors().containsKey("output.weight"),
                embed.type().isQuantized() ? dev.pagoda.model.loader.DType.F32 : embed.type());
    }

    private static String string(Map<String, Object> md, String where, String key) {
        if (!(md.get(key) instanceof String s)) throw new PagodaException(where + ": missing metadata key '" + key + "'");
        return s;
    }

    private static long number(Map<String, Object> md, String where, String key) {
        if (!md.containsKey(key)) throw new PagodaException(where + ": missing metadata key '" + key + "'");
        return number(md, key);
    }

    private static long number(Map<String, Object> md, String key) {
        Object v = md.get(key);
        if (v instanceof Long l) return l;
        if (v instanceof Double d) return d.longValue();
        throw new PagodaException("metadata key '" + key + "' is not a number: " + v);
    }
}
