package dev.pagoda.model.synthetic;

import dev.pagoda.model.synthetic.ModelShape.TensorShape;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * The seeded random initialisation of a synthetic model, the same idea as the tiny fixtures
 * (shared/models/fixtures/README.md, "How the weights were made"), carried over to real sizes:
 * <ul>
 *   <li>linear weights N(0, 1/fan_in): every projection keeps its input's scale, so the residual
 *       stream grows only like sqrt(layers) and nothing overflows, even in 16-bit;</li>
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

    private Weights() {
    }

    /** Standard deviation of a tensor's random part (before {@link #QUIET}). */
    public static double std(ModelShape model, TensorShape t) {
        return switch (t.role()) {
            case LINEAR -> 1 / Math.sqrt(t.shape()[1]);
            case OUTPUT -> outputStd(model);
            case EMBEDDING -> model.tiedEmbeddings() ? outputStd(model) : 1;
            case NORM -> 0.1;
            case BIAS -> 0.2;
        };
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
