package dev.pagoda.cli.plan;

/**
 * What the planner needs to know about a model: its shapes, in the units of a Hugging Face
 * config.json, and where they came from.
 *
 * @param normsPerLayer    RMSNorm/LayerNorm weight vectors of hidden size per layer (2; 4 for Gemma 3 and GLM-4)
 * @param qkNorm           per-head norms of q and k (Qwen3, Gemma 3): 2 × head_dim parameters per layer
 * @param attentionBias    q/k/v projections carry a bias (Qwen2, GLM-4)
 * @param moe              null for a dense model
 * @param sliding          null when every layer attends to the whole sequence
 * @param encoderOnly      a BERT-style encoder (embedding models): no KV cache
 * @param checkpointBytes  the exact size of the weight data when read from files, else null
 * @param dtype            the checkpoint's dtype name (float32, float16, bfloat16, or a GGUF format)
 */
public record ModelSpec(String name, String architecture, int numLayers, int hiddenSize, int intermediateSize,
                        int numHeads, int numKvHeads, int headDim, int vocabSize, int maxPositions, boolean tiedEmbeddings,
                        int normsPerLayer, boolean qkNorm, boolean attentionBias, Moe moe, Sliding sliding,
                        Encoder encoderOnly, Long checkpointBytes, String dtype) {

    /**
     * Mixture of experts: {@code experts} routed experts of {@code expertIntermediate} each (all
     * resident), a router, and optionally one shared expert of {@code sharedIntermediate} with its
     * gate, in {@code moeLayers} of the layers; the other layers have a dense MLP.
     */
    public record Moe(int experts, int expertsPerToken, int expertIntermediate, int sharedIntermediate, int moeLayers) {
    }

    /** {@code slidingLayers} of the layers attend only to the last {@code window} tokens. */
    public record Sliding(int window, int slidingLayers) {
    }

    /** A BERT-style encoder's extra embeddings: absolute positions and token types, plus a pooler. */
    public record Encoder(int typeVocabSize) {
    }

    /** Parameters in the matrices of attention and MLP (what weight quantization applies to). */
    public long linearParameters() {
        long h = hiddenSize, q = (long) numHeads * headDim, kv = (long) numKvHeads * headDim;
        long attention = h * q + 2 * h * kv + q * h;
        long denseMlp = (encoderOnly != null ? 2 : 3) * h * intermediateSize;
        if (moe == null) return numLayers * (attention + denseMlp) + (encoderOnly != null ? h * h : 0);
        long moeMlp = 3L * moe.experts * h * moe.expertIntermediate + 3 * h * moe.sharedIntermediate;
        return numLayers * attention + (long) moe.moeLayers * moeMlp + (long) (numLayers - moe.moeLayers) * denseMlp;
    }

    /**
     * Every other parameter: embeddings (and the untied LM head), norms, biases, MoE routers.
     * Encoders (BERT): word, position and token-type embeddings with their LayerNorm; per layer
     * biases of q, k, v, o and both MLP matrices and two LayerNorms (weight and bias); the pooler's bias.
     */
    public long otherParameters() {
        long h = hiddenSize, q = (long) numHeads * headDim, kv = (long) numKvHeads * headDim;
        if (encoderOnly != null) {
            long embeddings = ((long) vocabSize + maxPositions + encoderOnly.typeVocabSize) * h + 2 * h;
            long perLayer = (q + 2 * kv + h) + (intermediateSize + h) + 4 * h;
            return embeddings + numLayers * perLayer + h;
        }
        long perLayer = normsPerLayer * h + (qkNorm ? 2L * headDim : 0) + (attentionBias ? q + 2 * kv : 0);
        long routers = moe == null ? 0 : (long) moe.moeLayers * (h * moe.experts + (moe.sharedIntermediate > 0 ? h : 0));
        long embeddings = (long) vocabSize * h * (tiedEmbeddings ? 1 : 2);
        return embeddings + numLayers * perLayer + routers + h;
    }

    public long parameters() {
        return linearParameters() + otherParameters();
    }

    /** Parameters one token runs through (MoE: only the routed experts it picks plus the shared one). */
    public long activeParameters() {
        if (moe == null) return parameters();
        long h = hiddenSize;
        long idle = (long) moe.moeLayers * 3L * (moe.experts - moe.expertsPerToken) * h * moe.expertIntermediate;
        return parameters() - idle;
    }

    /** Layers that attend to every earlier token. */
    public int fullAttentionLayers() {
        if (encoderOnly != null) return 0;
        return numLayers - (sliding == null ? 0 : sliding.slidingLayers);
    }

    public int slidingLayers() {
        return encoderOnly != null || sliding == null ? 0 : sliding.slidingLayers;
    }
}
