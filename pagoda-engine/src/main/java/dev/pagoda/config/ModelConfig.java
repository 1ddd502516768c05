package dev.pagoda.config;

import dev.pagoda.model.loader.DType;

/**
 * The shape and numerics of a decoder-only model, whatever file format it came from.
 *
 * @param ropeScaling    null when the model uses plain RoPE
 * @param ropeFreqFactors per-pair divisors of the base frequencies (GGUF {@code rope_freqs}), or null
 * @param weightDType    the checkpoint's dtype for non-quantized matrices
 */
public record ModelConfig(
        Architecture architecture,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int maxPositionEmbeddings,
        float rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        float[] ropeFreqFactors,
        RopeLayout ropeLayout,
        boolean tieWordEmbeddings,
        DType weightDType) {

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Inverse frequency of rotary pair {@code i}, in double precision. */
    public double ropeInvFreq(int i) {
        double base = Math.pow(ropeTheta, -2.0 * i / headDim);
        if (ropeScaling != null) base = ropeScaling.scale(base);
        if (ropeFreqFactors != null) base /= ropeFreqFactors[i];
        return base;
    }

    public ModelConfig withRopeFreqFactors(float[] factors) {
        return new ModelConfig(architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                vocabSize, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, factors, ropeLayout,
                tieWordEmbeddings, weightDType);
    }

    public ModelConfig withTiedEmbeddings(boolean tied) {
        return new ModelConfig(architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                vocabSize, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling, ropeFreqFactors, ropeLayout,
                tied, weightDType);
    }

    /** Number of parameters in the weight matrices and norms (the embedding counted once when tied). */
    public long parameterCount() {
        long attn = (long) hiddenSize * (qDim() + 2L * kvDim()) + (long) qDim() * hiddenSize;
        long mlp = 3L * hiddenSize * intermediateSize;
        long perLayer = attn + mlp + 2L * hiddenSize;
        long embed = (long) vocabSize * hiddenSize;
        return numLayers * perLayer + embed * (tieWordEmbeddings ? 1 : 2) + hiddenSize;
    }
}
