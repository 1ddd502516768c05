package dev.pagoda.model.synthetic;

import dev.pagoda.model.synthetic.ModelShape.TensorShape;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * The seeded random initialisation of a synthetic model, the same idea as the tiny fixtures
 * (shared/models/fixtures/README.md, "How the weights were made"), carried over to real sizes:
 * <ul>
 *   <li>linear weights N(0, 1/fan_in), so every projection keeps its input's scale; but o_proj
 *       and down_proj, which write into the residual stream, N(0, g²/fan_in) with
 *       g = {@value #FINAL_RMS}/sqrt(layers), so the final hidden state has an rms of about
 *       {@value #FINAL_RMS} whatever the depth (far from overflowing, even in F16). Why: all
 *       catalogued models tie the embedding to the output projection, and with plain
 *       N(0, 1/fan_in) the token's own embedding, still present in the residual stream, gives its own
 *       logit a bonus of |e|²/rms(h) (about 9/1.3 at 2 layers, 9/5 at 24), so greedy decoding just
 *       repeats the input token. Since every layer reads the stream through an RMSNorm, this gain is
 *       the same as shrinking the embedding's share of the stream; it cuts the bonus to about 0.15.
 *       (The fixtures scale layer 0's down_proj instead, which works at 2–3 layers but leaves later
 *       layers with little say.);</li>
 *   <li>the output projection N(0, (3/sqrt(hidden))²): the final RMSNorm leaves components of size
 *       about 1, so logits get a spread of about 3 whatever the hidden size, peaked but not
 *       saturated (the fixtures' 0.4 is this rule at hidden 64). A tied embedding <em>is</em> the
 *       output projection, so it gets the same scale; its small input scale does not matter since
 *       every layer starts with an RMSNorm. An untied input embedding is N(0, 1);</li>
 *   <li>the vocabulary rows of the tokenizer's added (special) tokens and of the unused padding
 *       ids are scaled by {@value #QUIET}, so greedy decoding does not stop on an end-of-sequence
 *       token or emit an id the tokenizer cannot decode;</li>
 *   <li>RMSNorm weights (and qwen3's q/k norms) 1 + 0.1·N(0, 1); biases 0.2·N(0, 1).</li>
 * </ul>
 * Each tensor has its own random stream, keyed by the seed and the tensor's name, so a tensor's
 * values do not depend on which other tensors exist (a 2-layer model's layer 0 equals a 24-layer
 * model's of the same hidden size).
 */
public final class Weights {
    /** Scale of the vocabulary rows of special tokens and padding ids. */
    public static final double QUIET = 0.25;
    /** Target rms of the final hidden state, see {@link #residualGain}. */
    static final double FINAL_RMS = 64;

    private Weights() {
    }

    /** Standard deviation of a tensor's random part (before {@link #QUIET}). */
    public static double std(ModelShape model, TensorShape t) {
        return switch (t.role()) {
            case LINEAR -> 1 / Math.sqrt(t.shape()[1]);
            case RESIDUAL -> residualGain(model) / Math.sqrt(t.shape()[1]);
            case OUTPUT -> outputStd(model);
            case EMBEDDING -> model.tiedEmbeddings() ? outputStd(model) : 1;
            case NORM -> 0.1;
            case BIAS -> 0.2;
        };
    }

    /**
     * Gain of the projections that write into the residual stream, so that the final hidden state
     * has an rms of about {@value #FINAL_RMS} whatever the number of layers (each layer adds about
     * gain² to its variance).
     */
    static double residualGain(ModelShape model) {
        return FINAL_RMS / Math.sqrt(model.numLayers());
    }

    private static double outputStd(ModelShape model) {
        return 3 / Math.sqrt(model.hiddenSize());
    }

    /**
     * The values of tensor {@code t}: mean + std·N(0, 1), with the rows in {@code quietRows} scaled
     * by {@link #QUIET} for the embedding and output matrices.
     */
    public static SafetensorsWriter.Values values(long seed, ModelShape model, TensorShape t, BitSet quietRows) {
        double mean = t.role() == ModelShape.Role.NORM ? 1 : 0;
        double std = std(model, t);
        boolean byToken = t.role() == ModelShape.Role.EMBEDDING || t.role() == ModelShape.Role.OUTPUT;
        long rowLength = t.shape()[t.shape().length - 1];
        SplittableRandom random = new SplittableRandom(streamSeed(seed, t.name()));
        return new SafetensorsWriter.Values() {
            private long row;
            private long inRow;
            private double scale = scaleOf(0);

            @Override
            public void next(float[] dst, int count) {
                for (int i = 0; i < count; i++) {
                    // SplittableRandom.nextGaussian is the JDK's modified ziggurat: a few ns per value.
                    dst[i] = (float) (mean + scale * random.nextGaussian());
                    if (++inRow == rowLength) {
                        inRow = 0;
                        scale = scaleOf(++row);
                    }
                }
            }

            private double scaleOf(long r) {
                return byToken && quietRows.get((int) r) ? std * QUIET : std;
            }
        };
    }

    /** FNV-1a over the tensor name, keyed by the seed; SplittableRandom mixes it further. */
    static long streamSeed(long seed, String name) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (int i = 0; i < name.length(); i++) h = (h ^ name.charAt(i)) * 0x100000001b3L;
        return h;
    }
}
