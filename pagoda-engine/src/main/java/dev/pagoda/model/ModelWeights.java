package dev.pagoda.model;

import dev.pagoda.Log;
import dev.pagoda.PagodaException;
import dev.pagoda.config.ModelConfig;
import dev.pagoda.kernel.WeightMatrix;
import dev.pagoda.model.loader.Checkpoint;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.loader.TensorData;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;

/**
 * A checkpoint's tensors bound to the decoder's roles and checked against the config's shapes.
 * Matrices stay memory-mapped; a {@code --dtype} conversion makes one off-heap copy (logged).
 * 1-D tensors (norms, biases) are tiny and are decoded to F32 arrays.
 */
public final class ModelWeights implements AutoCloseable {
    /** One decoder layer's weights; biases and q/k norms are null where the architecture has none. */
    public record Layer(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                        float[] bq, float[] bk, float[] bv, float[] qNorm, float[] kNorm,
                        float[] ffnNorm, WeightMatrix gate, WeightMatrix up, WeightMatrix down) {
    }

    private final WeightMatrix embedding;
    private final WeightMatrix lmHead;
    private final float[] finalNorm;
    private final Layer[] layers;
    private final Arena conversions;
    private final long convertedBytes;

    private ModelWeights(WeightMatrix embedding, WeightMatrix lmHead, float[] finalNorm, Layer[] layers,
                         Arena conversions, long convertedBytes) {
        this.embedding = embedding;
        this.lmHead = lmHead;
        this.finalNorm = finalNorm;
        this.layers = layers;
        this.conversions = conversions;
        this.convertedBytes = convertedBytes;
    }

    /**
     * @param dtype target format of the non-quantized matrices, or null to keep the checkpoint's
     */
    public static ModelWeights bind(Checkpoint checkpoint, DType dtype) {
        return new Binder(checkpoint, dtype).bind();
    }

    public WeightMatrix embedding() {
        return embedding;
    }

    public WeightMatrix lmHead() {
        return lmHead;
    }

    public float[] finalNorm() {
        return finalNorm;
    }

    public Layer layer(int i) {
        return layers[i];
    }

    /** Bytes held in off-heap conversions (0 when the checkpoint is used as mapped). */
    public long convertedBytes() {
        return convertedBytes;
    }

    @Override
    public void close() {
        conversions.close();
    }

    /** Looks tensors up by HF name, checks their shapes, converts formats on request. */
    private static final class Binder {
        private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private final Checkpoint checkpoint;
        private final Map<String, TensorData> tensors;
        private final ModelConfig c;
        private final DType dtype;
        private final Arena arena = Arena.ofShared();
        private long converted;
        private int convertedCount;

        Binder(Checkpoint checkpoint, DType dtype) {
            this.checkpoint = checkpoint;
            this.tensors = checkpoint.tensors();
            this.c = checkpoint.config();
            this.dtype = dtype;
        }

        ModelWeights bind() {
            try {
                int h = c.hiddenSize();
                WeightMatrix embed = matrix("model.embed_tokens.weight", c.vocabSize(), h);
                WeightMatrix head = c.tieWordEmbeddings() && !tensors.containsKey("lm_head.weight")
                        ? embed : matrix("lm_head.weight", c.vocabSize(), h);
                Layer[] layers = new Layer[c.numLayers()];
                for (int i = 0; i < layers.length; i++) layers[i] = layer(i);
                float[] norm = vector("model.norm.weight", h);
                if (convertedCount > 0) {
                    Log.info(String.format("converted %d matrices to %s: %.1f MiB off-heap", convertedCount, dtype,
                            converted / 1048576.0));
                }
                return new ModelWeights(embed, head, norm, layers, arena, converted);
            } catch (RuntimeException e) {
                arena.close();
                throw e;
            }
        }

        private Layer layer(int i) {
            String p = "model.layers." + i + ".";
            int h = c.hiddenSize(), q = c.qDim(), kv = c.kvDim(), ff = c.intermediateSize(), hd = c.headDim();
            boolean bias = c.architecture().qkvBias;
            boolean qkNorm = c.architecture().qkNorm;
            return new Layer(
                    vector(p + "input_layernorm.weight", h),
                    matrix(p + "self_attn.q_proj.weight", q, h),
                    matrix(p + "self_attn.k_proj.weight", kv, h),
                    matrix(p + "self_attn.v_proj.weight", kv, h),
                    matrix(p + "self_attn.o_proj.weight", h, q),
                    bias ? vector(p + "self_attn.q_proj.bias", q) : null,
                    bias ? vector(p + "self_attn.k_proj.bias", kv) : null,
                    bias ? vector(p + "self_attn.v_proj.bias", kv) : null,
                    qkNorm ? vector(p + "self_attn.q_norm.weight", hd) : null,
                    qkNorm ? vector(p + "self_attn.k_norm.weight", hd) : null,
                    vector(p + "post_attention_layernorm.weight", h),
                    matrix(p + "mlp.gate_proj.weight", ff, h),
                    matrix(p + "mlp.up_proj.weight", ff, h),
                    matrix(p + "mlp.down_proj.weight", h, ff));
        }

        private TensorData tensor(String name, long... shape) {
            TensorData t = tensors.get(name);
            if (t == null) throw new PagodaException(checkpoint.source() + ": missing tensor '" + name + "'");
            if (!Arrays.equals(t.shape(), shape)) {
                throw new PagodaException(checkpoint.source() + ": tensor '" + name + "' has shape " + t.shapeString()
                        + ", expected " + Arrays.toString(shape) + " from the model config");
            }
            return t;
        }

        private WeightMatrix matrix(String name, int rows, int cols) {
            TensorData t = tensor(name, rows, cols);
            WeightMatrix m = WeightMatrix.of(t);
            if (dtype == null || t.type().isQuantized() || t.type() == dtype) return m;
            return WeightMatrix.of(new TensorData(name, dtype, t.shape(), convert(m, dtype)));
        }

        private MemorySegment convert(WeightMatrix m, DType target) {
            MemorySegment out = arena.allocate(target.bytesFor((long) m.rows() * m.cols()), 64);
            float[] row = new float[m.cols()];
            long off = 0;
            for (int r = 0; r < m.rows(); r++) {
                m.decodeRow(r, row, 0);
                off = DTypeConversion.encode(row, target, out, off);
            }
            converted += out.byteSize();
            convertedCount++;
            return out;
        }

        private float[] vector(String name, int n) {
            TensorData t = tensors.get(name);
            if (t == null) throw new PagodaException(checkpoint.source() + ": missing tensor '" + name + "'");
            if (t.elementCount() != n || t.shape().length != 1) {
                throw new PagodaException(checkpoint.source() + ": tensor '" + name + "' has shape " + t.shapeString()
                        + ", expected [" + n + "] from the model config");
            }
            return switch (t.type()) {
                case F32 -> t.data().toArray(LE_FLOAT);
                case F16, BF16 -> {
                    float[] v = new float[n];
                    WeightMatrix.of(new TensorData(name, t.type(), new long[]{1, n}, t.data())).decodeRow(0, v, 0);
                    yield v;
                }
                default -> throw new PagodaException(checkpoint.source() + ": tensor '" + name + "' is " + t.type()
                        + "; 1-D tensors must be F32, F16 or BF16");
            };
        }
    }
}
