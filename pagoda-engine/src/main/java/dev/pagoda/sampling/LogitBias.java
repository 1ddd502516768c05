package dev.pagoda.sampling;

import java.util.Map;

/** {@code logit_bias}: a fixed value added to some tokens' logits (already clamped to [-100, 100]). */
final class LogitBias implements LogitsProcessor {
    private final int[] ids;
    private final float[] bias;

    LogitBias(Map<Integer, Double> logitBias) {
        ids = new int[logitBias.size()];
        bias = new float[logitBias.size()];
        int i = 0;
        for (Map.Entry<Integer, Double> e : logitBias.entrySet()) {
            ids[i] = e.getKey();
            bias[i++] = e.getValue().floatValue();
        }
    }

    @Override
    public void apply(float[] logits, int off, TokenHistory seq) {
        for (int i = 0; i < ids.length; i++) logits[off + ids[i]] += bias[i];
    }
}
