package dev.pagoda.kernel;

import dev.pagoda.PagodaException;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.loader.TensorData;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix of {@code rows × cols} (Hugging Face {@code [out, in]}) in one storage format,
 * read straight from its memory-mapped (or converted off-heap) bytes. Each format knows how to
 * decode one row to F32; the matmul multiplies decoded rows with F32 activations, so every
 * format computes "dequantize, then multiply-add in F32" — the exact path.
 */
public abstract sealed class WeightMatrix permits F32Matrix, F16Matrix, BF16Matrix, Q8_0Matrix, Q4_0Matrix {
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
            case F32 -> new F32Matrix(t.name(), rows, cols, t.data());
            case F16 -> new F16Matrix(t.name(), rows, cols, t.data());
            case BF16 -> new BF16Matrix(t.name(), rows, cols, t.data());
            case Q8_0 -> new Q8_0Matrix(t.name(), rows, cols, t.data());
            case Q4_0 -> new Q4_0Matrix(t.name(), rows, cols, t.data());
        };
    }

    /** Writes row {@code row} as F32 into {@code dst[off..off+cols)}. */
    public abstract void decodeRow(int row, float[] dst, int off);

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
