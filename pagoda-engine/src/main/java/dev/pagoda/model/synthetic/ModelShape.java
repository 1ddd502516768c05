package dev.pagoda.model.synthetic;

import dev.pagoda.model.loader.DType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The architecture and hyperparameters of a real checkpoint ({@link #like}), optionally shrunk
 * ({@link #withLayers}, {@link #withHidden}): enough to write its config.json and to list its
 * tensors with Hugging Face names and shapes.
 *
 * @param modelType config.json {@code model_type}: {@code qwen2}, {@code qwen3} or {@code llama}
 * @param headDimInConfig whether the real config.json carries {@code head_dim}
 */
public record ModelShape(String name, String architecture, String modelType, int hiddenSize, int intermediateSize,
                         int numLayers, int numHeads, int numKvHeads, int headDim, boolean headDimInConfig,
                         int vocabSize, int maxPositionEmbeddings, double ropeTheta, Map<String, Object> ropeScaling,
                         double rmsNormEps, boolean tiedEmbeddings, boolean qkvBias, boolean qkNorm,
                         int bosTokenId, int eosTokenId) {

    private static final Map<String, ModelShape> CATALOGUE = new LinkedHashMap<>();

    static {
        add(new ModelShape("qwen2.5-0.5b", "Qwen2ForCausalLM", "qwen2", 896, 4864, 24, 14, 2, 64, false,
                151936, 32768, 1_000_000.0, null, 1e-6, true, true, false, 151643, 151643));
        add(new ModelShape("qwen3-0.6b", "Qwen3ForCausalLM", "qwen3", 1024, 3072, 28, 16, 8, 128, true,
                151936, 40960, 1_000_000.0, null, 1e-6, true, false, true, 151643, 151645));
        Map<String, Object> llama3Scaling = new TreeMap<>(Map.of("factor", 32.0, "low_freq_factor", 1.0,
                "high_freq_factor", 4.0, "original_max_position_embeddings", 8192, "rope_type", "llama3"));
        add(new ModelShape("llama-3.2-1b", "LlamaForCausalLM", "llama", 2048, 8192, 16, 32, 8, 64, true,
                128256, 131072, 500_000.0, llama3Scaling, 1e-5, true, false, false, 128000, 128001));
    }

    private static void add(ModelShape shape) {
        CATALOGUE.put(shape.name(), shape);
    }

    /** The names {@link #like} accepts. */
    public static List<String> names() {
        return List.copyOf(CATALOGUE.keySet());
    }

    /** The full-size shape of a catalogued model. */
    public static ModelShape like(String name) {
        ModelShape shape = CATALOGUE.get(name);
        if (shape == null) {
            throw new IllegalArgumentException("unknown model '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return shape;
    }

    /** The same model with {@code layers} decoder layers. */
    public ModelShape withLayers(int layers) {
        if (layers < 1) throw new IllegalArgumentException("--layers must be at least 1, got " + layers);
        return new ModelShape(name, architecture, modelType, hiddenSize, intermediateSize, layers, numHeads,
                numKvHeads, headDim, headDimInConfig, vocabSize, maxPositionEmbeddings, ropeTheta, ropeScaling,
                rmsNormEps, tiedEmbeddings, qkvBias, qkNorm, bosTokenId, eosTokenId);
    }

    /**
     * The same model with hidden size {@code hidden}. head_dim is kept; the number of attention heads
     * scales with the hidden size (so {@code hidden} must be a multiple of hidden/heads of the
     * original, 64 for every catalogued model); kv heads keep the original query-per-kv group size
     * where possible (at least one kv head, and a divisor of the heads); the MLP's intermediate size
     * scales proportionally, rounded to a multiple of 32.
     */
    public ModelShape withHidden(int hidden) {
        int perHead = hiddenSize / numHeads;
        if (hidden < perHead || hidden % perHead != 0) {
            throw new IllegalArgumentException("--hidden for " + name + " must be a positive multiple of " + perHead
                    + " (hidden size per attention head), got " + hidden);
        }
        int heads = hidden / perHead;
        int kvHeads = Math.max(1, heads / (numHeads / numKvHeads));
        while (heads % kvHeads != 0) kvHeads--;
        int intermediate = Math.max(32, (int) Math.round((double) intermediateSize * hidden / hiddenSize / 32) * 32);
        return new ModelShape(name, architecture, modelType, hidden, intermediate, numLayers, heads, kvHeads,
                headDim, headDimInConfig, vocabSize, maxPositionEmbeddings, ropeTheta, ropeScaling, rmsNormEps,
                tiedEmbeddings, qkvBias, qkNorm, bosTokenId, eosTokenId);
    }

    /** What a tensor is, which decides how its values are drawn ({@link Weights}). */
    public enum Role {
        EMBEDDING, OUTPUT, LINEAR, NORM, BIAS,
        /** A linear layer writing into the residual stream: o_proj, down_proj. */
        RESIDUAL
    }

    /** One tensor: Hugging Face name, shape ({@code [out, in]} for linear layers) and role. */
    public record TensorShape(String name, long[] shape, Role role) {
        public long count() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }
    }

    /** Every tensor of the checkpoint, in file order (embedding, layers, final norm, untied lm_head). */
    public List<TensorShape> tensors() {
        List<TensorShape> t = new ArrayList<>();
        t.add(new TensorShape("model.embed_tokens.weight", new long[] {vocabSize, hiddenSize}, Role.EMBEDDING));
        int q = numHeads * headDim;
        int kv = numKvHeads * headDim;
        for (int l = 0; l < numLayers; l++) {
            String p = "model.layers." + l + ".";
            t.add(new TensorShape(p + "input_layernorm.weight", new long[] {hiddenSize}, Role.NORM));
            t.add(linear(p + "self_attn.q_proj.weight", q, hiddenSize));
            t.add(linear(p + "self_attn.k_proj.weight", kv, hiddenSize));
            t.add(linear(p + "self_attn.v_proj.weight", kv, hiddenSize));
            if (qkvBias) {
                t.add(new TensorShape(p + "self_attn.q_proj.bias", new long[] {q}, Role.BIAS));
                t.add(new TensorShape(p + "self_attn.k_proj.bias", new long[] {kv}, Role.BIAS));
                t.add(new TensorShape(p + "self_attn.v_proj.bias", new long[] {kv}, Role.BIAS));
            }
            if (qkNorm) {
                t.add(new TensorShape(p + "self_attn.q_norm.weight", new long[] {headDim}, Role.NORM));
                t.add(new TensorShape(p + "self_attn.k_norm.weight", new long[] {headDim}, Role.NORM));
            }
            t.add(new TensorShape(p + "self_attn.o_proj.weight", new long[] {hiddenSize, q}, Role.RESIDUAL));
            t.add(new TensorShape(p + "post_attention_layernorm.weight", new long[] {hiddenSize}, Role.NORM));
            t.add(linear(p + "mlp.gate_proj.weight", intermediateSize, hiddenSize));
            t.add(linear(p + "mlp.up_proj.weight", intermediateSize, hiddenSize));
            t.add(new TensorShape(p + "mlp.down_proj.weight", new long[] {hiddenSize, intermediateSize}, Role.RESIDUAL));
        }
        t.add(new TensorShape("model.norm.weight", new long[] {hiddenSize}, Role.NORM));
        if (!tiedEmbeddings) {
            t.add(new TensorShape("lm_head.weight", new long[] {vocabSize, hiddenSize}, Role.OUTPUT));
        }
        return t;
    }

    private static TensorShape linear(String name, int out, int in) {
        return new TensorShape(name, new long[] {out, in}, Role.LINEAR);
    }

    /** Number of stored parameters (a tied embedding counts once). */
    public long parameterCount() {
        return tensors().stream().mapToLong(TensorShape::count).sum();
    }

    /** config.json as Hugging Face writes it for this architecture (keys sorted), for weights stored as {@code dtype}. */
    public Map<String, Object> configJson(DType dtype) {
        Map<String, Object> c = new TreeMap<>();
        c.put("architectures", List.of(architecture));
        c.put("attention_dropout", 0.0);
        c.put("bos_token_id", bosTokenId);
        c.put("eos_token_id", eosTokenId);
        c.put("hidden_act", "silu");
        c.put("hidden_size", hiddenSize);
        c.put("initializer_range", 0.02);
        c.put("intermediate_size", intermediateSize);
        c.put("max_position_embeddings", maxPositionEmbeddings);
        c.put("model_type", modelType);
        c.put("num_attention_heads", numHeads);
        c.put("num_hidden_layers", numLayers);
        c.put("num_key_value_heads", numKvHeads);
        c.put("rms_norm_eps", rmsNormEps);
        c.put("rope_scaling", ropeScaling);
        c.put("rope_theta", ropeTheta);
        c.put("tie_word_embeddings", tiedEmbeddings);
        c.put("torch_dtype", switch (dtype) {
            case F32 -> "float32";
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        });
        c.put("use_cache", true);
        c.put("vocab_size", vocabSize);
        if (headDimInConfig) c.put("head_dim", headDim);
        switch (modelType) {
            case "qwen2" -> {
                c.put("max_window_layers", 21);
                c.put("sliding_window", 32768);
                c.put("use_sliding_window", false);
            }
            case "qwen3" -> {
                c.put("attention_bias", false);
                c.put("max_window_layers", numLayers);
                c.put("sliding_window", null);
                c.put("use_sliding_window", false);
            }
            case "llama" -> {
                c.put("attention_bias", false);
                c.put("mlp_bias", false);
                c.put("pretraining_tp", 1);
            }
            default -> throw new IllegalStateException("unknown model_type " + modelType);
        }
        return c;
    }
}
