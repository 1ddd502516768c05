package dev.pagoda.config;

/**
 * Llama-3-style RoPE frequency scaling (config.json {@code rope_scaling} with
 * {@code rope_type: "llama3"}): long wavelengths are divided by {@code factor}, short ones kept,
 * and the band between is interpolated smoothly.
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {

    /** Applies the scaling to one base inverse frequency, as transformers' llama3 rope init does. */
    public double scale(double invFreq) {
        double lowFreqWavelen = originalMaxPositionEmbeddings / lowFreqFactor;
        double highFreqWavelen = originalMaxPositionEmbeddings / highFreqFactor;
        double wavelen = 2 * Math.PI / invFreq;
        if (wavelen < highFreqWavelen) return invFreq;
        if (wavelen > lowFreqWavelen) return invFreq / factor;
        double smooth = (originalMaxPositionEmbeddings / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (1 - smooth) * invFreq / factor + smooth * invFreq;
    }
}
