package dev.pagoda.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The decoder-only architectures Pagoda runs. They share one decoder implementation; what
 * differs is captured by the flags here.
 */
public enum Architecture {
    LLAMA("LlamaForCausalLM", "llama", false, false),
    MISTRAL("MistralForCausalLM", "mistral", false, false),
    QWEN2("Qwen2ForCausalLM", "qwen2", true, false),
    QWEN3("Qwen3ForCausalLM", "qwen3", false, true);

    /** The Hugging Face class name in config.json's {@code architectures}. */
    public final String hfName;
    public final String modelType;
    /** q/k/v projections carry a bias (Qwen2). */
    public final boolean qkvBias;
    /** Per-head RMSNorm of q and k after the projection, before RoPE (Qwen3). */
    public final boolean qkNorm;

    Architecture(String hfName, String modelType, boolean qkvBias, boolean qkNorm) {
        this.hfName = hfName;
        this.modelType = modelType;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    public static Architecture fromHfName(String name) {
        for (Architecture a : values()) if (a.hfName.equals(name)) return a;
        return null;
    }

    public static String supportedHfNames() {
        return Arrays.stream(values()).map(a -> a.hfName).collect(Collectors.joining(", "));
    }
}
