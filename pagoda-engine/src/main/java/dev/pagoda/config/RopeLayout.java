package dev.pagoda.config;

/** Which pairs of a head's dimensions RoPE rotates together. */
public enum RopeLayout {
    /** Pairs (i, i + headDim/2): Hugging Face checkpoints, and GGUF qwen2/qwen3 ("NEOX"). */
    HALF,
    /** Pairs (2i, 2i+1): GGUF llama, whose q/k rows are stored permuted relative to HF. */
    ADJACENT
}
