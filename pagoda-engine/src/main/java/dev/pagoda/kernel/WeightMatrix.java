package dev.pagoda.kernel;

import dev.pagoda.PagodaException;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.loader.TensorData;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix of {@code rows × cols} (Hugging Face {@code [out, in]}) in one storage format,
 * read straight from its memory-mapped (or converted off-heap) bytes. Every format computes
 * "dequantize, then multiply-add in F32" — the exact path — with fused kernels that decode
 * weights in registers as they go.
 *
 * <p><b>One reduction order per format.</b> Each format fixes the order in which output (r, t) =
 * W[r] · x[t] is summed, and every kernel shape of that format follows it: a token's result does
 * not depend on the batch size, on which shape happened to cover it, or on the thread that ran
 * it (DESIGN rule 2). {@link LaneSumMatrix} documents the order of F32, F16, BF16 and Q4_0,
 * {@link Q8_0Matrix} its own.
 *
 * <p><b>Kernel size.</b> C2 stops inlining into a method once its parse graph passes a fixed
 * node count (NodeCountInliningCutoff, not settable in product JVMs), and each Vector API call
 * parses into hundreds of nodes. Past that budget the remaining calls stay calls, their vectors
 * are boxed, and the kernel runs several times slower. So a kernel method holds about 20–30
 * vector operations: formats with a costly decode split a block into passes of one or two rows
 * (their accumulators meet in the {@code lanes} scratch), and {@code -XX:+PrintInlining} is the
 * check when a kernel is changed.
 */
public abstract sealed class WeightMatrix permits LaneSumMatrix, Q8_0Matrix {
    protected final String name;
    protected final int rows;
    protected final int cols;
    protected final MemorySegment data;
    protected final long rowBytes;

    protected WeightMatrix(String name, int rows, int cols, MemorySegment data, DType type) {
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.data = data;
        this.rowBytes = type.bytesFor(cols);
    }

    public static WeightMatrix of(TensorData t) {
        if (t.shape().length != 2) {
            throw new PagodaException("tensor '" + t.name() + "' has shape " + t.shapeString() + ", expected a matrix");
        }
        int rows = Math.toIntExact(t.shape()[0]);
        int cols = Math.toIntExact(t.shape()[1]);
        return switch (t.type()) {
            case F32 -> new F32Matrix(t.name(), rows, cols, t.data(), false);
            case F16 -> new F16Matrix(t.name(), rows, cols, t.data());
            case BF16 -> new BF16Matrix(t.name(), rows, cols, t.data(), false);
            case Q8_0 -> new Q8_0Matrix(t.name(), rows, cols, t.data(), false);
            case Q4_0 -> new Q4_0Matrix(t.name(), rows, cols, t.data());
        };
    }

    /**
     * Bytes of this matrix in the layout its kernels read fastest: the packed layout for
     * F32, BF16 and Q8_0, row-major for the other formats.
     */
    public long packedBytes() {
        return packedBytes(type(), rows, cols);
    }

    /** {@link #packedBytes()} of a rows × cols matrix of the given format. */
    public static long packedBytes(DType type, int rows, int cols) {
        return switch (type) {
            case F32 -> ChunkLayout.packedBytes(rows, cols, 4);
            case BF16 -> ChunkLayout.packedBytes(rows, cols, 2);
            case Q8_0 -> Q8_0Matrix.packedBytes(rows, cols);
            default -> type.bytesFor((long) rows * cols);
        };
    }

    /** This (row-major) matrix copied into {@code dst} ({@link #packedBytes} long) in that layout. */
    public WeightMatrix packInto(MemorySegment dst) {
        MemorySegment.copy(data, 0, dst, 0, data.byteSize());
        return of(new TensorData(name, type(), new long[]{rows, cols}, dst));
    }

    /** Writes row {@code row} as F32 into {@code dst[off..off+cols)}. */
    public abstract void decodeRow(int row, float[] dst, int off);

    /**
     * out[t·outStride + r] = W[r] · x[t·xStride ..) for rows [r0, r1) and tokens [t0, t1). r0 is
     * a multiple of {@link #rowGrain()}, and so is r1 unless it is {@code rows}.
     *
     * @param lanes scratch of {@link #LANES_SCRATCH} floats, one per calling thread
     */
    public abstract void multiply(int r0, int r1, float[] x, int xStride, int t0, int t1, float[] out, int outStride, float[] lanes);

    /** Scratch floats {@link #multiply} needs per calling thread. */
    public static final int LANES_SCRATCH = 16 * VectorMath.L;

    /** The row count that callers splitting {@link #multiply} between threads give each piece a multiple of. */
    public int rowGrain() {
        return 8;
    }

    /** Row r times the activation row at xo. */
    abstract float dot(int r, float[] x, int xo);

    public abstract DType type();

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public MemorySegment data() {
        return data;
    }
}
