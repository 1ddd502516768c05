package dev.pagoda.model;

import dev.pagoda.Log;
import dev.pagoda.PagodaException;
import dev.pagoda.config.ModelConfig;
import dev.pagoda.kernel.HugePages;
import dev.pagoda.kernel.WeightMatrix;
import dev.pagoda.model.loader.Checkpoint;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.loader.TensorData;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A checkpoint's tensors bound to the decoder's roles and checked against the config's shapes.
 * Matrices are copied from the memory-mapped checkpoint into one off-heap slab, in huge pages
 * where the OS has them ({@link HugePages}: a decode step streams every weight, and 4 KiB pages
 * cost it a TLB miss per page) and in the kernels' packed layout; a {@code --dtype} conversion or
 * a {@code --quantization} goes through a temporary copy. Both are timed and logged. 1-D tensors
 * (norms, biases) are tiny and are decoded to F32 arrays by scalar code.
 *
 * <p>Why the kernels never read the mapping itself: once the same kernel code had decoded one
 * row from a mapped segment, the 4 × 4 BF16 kernel ran at ~60 instead of ~95 GFLOP/s on native
 * memory for the rest of the process (measured with a harness on the test machine). The likely
 * mechanism: the Vector API's segment loads keep one type profile for all their callers, and a
 * second segment class in it costs every compiled kernel. All weights, the KV cache and the
 * benchmarks' matrices are therefore plain native memory.
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
        return bind(checkpoint, dtype, null);
    }

    /**
     * @param dtype        target format of the non-quantized matrices, or null to keep the checkpoint's
     * @param quantization Q8_0 or Q4_0 to quantize F32/F16/BF16 matrices at load (wins over dtype), or null
     */
    public static ModelWeights bind(Checkpoint checkpoint, DType dtype, DType quantization) {
        if (quantization != null && !quantization.isQuantized()) {
            throw new IllegalArgumentException("--quantization must be q8_0 or q4_0, got " + quantization);
        }
        return new Binder(checkpoint, quantization != null ? quantization : dtype).bind();
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

    /**
     * Bytes of the matrices one forward step reads whatever the batch: every layer's matrices and
     * the LM head, not the embedding rows it gathers. Divided into the read bandwidth it bounds
     * single-stream decode.
     */
    public long bytesReadPerStep() {
        return sumOverMatmuls(m -> m.type().bytesFor((long) m.rows() * m.cols()));
    }

    /** Parameters multiplied per token (every matrix but the embedding): a token costs 2 FLOPs for each. */
    public long matmulParameters() {
        return sumOverMatmuls(m -> (long) m.rows() * m.cols());
    }

    /** The formats of the matrices a step multiplies, the one with the most bytes first ("Q8_0", "Q8_0 + F32"). */
    public String matrixFormats() {
        Map<DType, Long> bytes = new EnumMap<>(DType.class);
        for (WeightMatrix m : matmuls()) bytes.merge(m.type(), m.type().bytesFor((long) m.rows() * m.cols()), Long::sum);
        return bytes.entrySet().stream().sorted(Map.Entry.<DType, Long>comparingByValue().reversed())
                .map(e -> e.getKey().toString()).collect(Collectors.joining(" + "));
    }

    private long sumOverMatmuls(java.util.function.ToLongFunction<WeightMatrix> f) {
        return matmuls().stream().mapToLong(f).sum();
    }

    /** Every matrix a forward step multiplies: the layers' and the LM head. */
    private List<WeightMatrix> matmuls() {
        List<WeightMatrix> all = new ArrayList<>(List.of(lmHead));
        for (Layer l : layers) all.addAll(List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()));
        return all;
    }

    /** Bytes written by --dtype conversions or --quantization (0 when the checkpoint's formats are kept). */
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
        private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private final Checkpoint checkpoint;
        private final Map<String, TensorData> tensors;
        private final ModelConfig c;
        private final DType dtype;
        private final Arena arena = Arena.ofShared();
        /** Where matrices are copied or converted to; filled front to back. */
        private MemorySegment slab;
        private long slabUsed;
        private long converted, placed;
        private int convertedCount, placedCount;
        private double convertSeconds, placeSeconds;

        Binder(Checkpoint checkpoint, DType dtype) {
            this.checkpoint = checkpoint;
            this.tensors = checkpoint.tensors();
            this.c = checkpoint.config();
            this.dtype = dtype;
        }

        /** The format a matrix is stored in after binding. */
        private DType target(TensorData t) {
            if (dtype == null || t.type().isQuantized() || t.type() == dtype) return t.type();
            if (dtype.isQuantized() && t.shape()[1] % 32 != 0) return t.type();
            return dtype;
        }

        /** One slab for every matrix of the checkpoint in its target format (an upper bound: unused tensors included). */
        private void allocateSlab() {
            long bytes = 0;
            for (TensorData t : tensors.values()) {
                if (t.shape().length == 2) {
                    bytes += align(WeightMatrix.packedBytes(target(t), Math.toIntExact(t.shape()[0]), Math.toIntExact(t.shape()[1])));
                }
            }
            slab = HugePages.allocate(arena, bytes);
        }

        private static long align(long bytes) {
            return (bytes + 63) & ~63L;
        }

        private MemorySegment take(long bytes) {
            MemorySegment s = slab.asSlice(slabUsed, bytes);
            slabUsed += align(bytes);
            return s;
        }

        ModelWeights bind() {
            try {
                allocateSlab();
                int h = c.hiddenSize();
                WeightMatrix embed = matrix("model.embed_tokens.weight", c.vocabSize(), h);
                WeightMatrix head = c.tieWordEmbeddings() && !tensors.containsKey("lm_head.weight")
                        ? embed : matrix("lm_head.weight", c.vocabSize(), h);
                Layer[] layers = new Layer[c.numLayers()];
                for (int i = 0; i < layers.length; i++) layers[i] = layer(i);
                float[] norm = vector("model.norm.weight", h);
                if (convertedCount > 0) {
                    Log.info(String.format("%s %d matrices to %s in %.2f s: %.1f MiB off-heap",
                            dtype.isQuantized() ? "quantized" : "converted", convertedCount, dtype, convertSeconds,
                            converted / 1048576.0));
                }
                Log.info(String.format("packed %d matrices into %s in %.2f s: %.1f MiB off-heap",
                        placedCount, HugePages.available() ? "huge pages" : "off-heap memory", placeSeconds, placed / 1048576.0));
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
            DType target = target(t);
            if (target == t.type() && dtype != null && dtype.isQuantized() && !t.type().isQuantized()) {
                Log.info("not quantizing " + name + ": " + cols + " columns are not a whole number of 32-value blocks");
            }
            if (target == t.type()) return place(m);
            try (Arena scratch = Arena.ofShared()) {
                // Decoded from a native copy, not from the mapping (see the class comment).
                WeightMatrix source = m.packInto(scratch.allocate(m.packedBytes(), 64));
                return place(convert(source, target, scratch));
            }
        }

        /** Copies a matrix into the slab in its kernels' packed layout. */
        private WeightMatrix place(WeightMatrix m) {
            long start = System.nanoTime();
            long bytes = m.packedBytes();
            WeightMatrix packed;
            try {
                packed = m.packInto(take(bytes));
            } catch (PagodaException e) { // a layout refusing the tensor's data (Q8_0 scales): name the file too
                throw new PagodaException(checkpoint.source() + ": " + e.getMessage(), e);
            }
            placed += bytes;
            placedCount++;
            placeSeconds += (System.nanoTime() - start) / 1e9;
            return packed;
        }

        /** Re-encodes every row of m into a row-major copy in {@code into}, rows in parallel (a 1 GB model in seconds). */
        private WeightMatrix convert(WeightMatrix m, DType target, Arena into) {
            long start = System.nanoTime();
            long rowBytes = target.bytesFor(m.cols());
            MemorySegment out = into.allocate(rowBytes * m.rows(), 64);
            IntStream.range(0, m.rows()).parallel().forEach(r -> {
                float[] row = new float[m.cols()];
                m.decodeRow(r, row, 0);
                DTypeConversion.encode(row, target, out, r * rowBytes);
            });
            converted += out.byteSize();
            convertedCount++;
            convertSeconds += (System.nanoTime() - start) / 1e9;
            return WeightMatrix.of(new TensorData(m.name(), target, new long[]{m.rows(), m.cols()}, out));
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
                    for (int i = 0; i < n; i++) {
                        short bits = t.data().getAtIndex(LE_SHORT, i);
                        v[i] = t.type() == DType.F16 ? Float.float16ToFloat(bits) : Float.intBitsToFloat(bits << 16);
                    }
                    yield v;
                }
                default -> throw new PagodaException(checkpoint.source() + ": tensor '" + name + "' is " + t.type()
                        + "; 1-D tensors must be F32, F16 or BF16");
            };
        }
    }
}
