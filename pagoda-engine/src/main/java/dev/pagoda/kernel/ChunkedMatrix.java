package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

/**
 * A matrix of fixed-width values (F32, BF16) addressed through a {@link ChunkLayout}: row-major as
 * mapped, or packed for the 8-row kernels. Holds what the formats share — addressing,
 * packing, row decoding and the tail of a dot product; the subclasses hold the kernels, which
 * differ only in how an L-wide chunk is loaded.
 */
abstract sealed class ChunkedMatrix extends LaneSumMatrix permits F32Matrix, BF16Matrix {
    static final int L = VectorMath.L;
    final ChunkLayout layout;
    /** Bytes from one chunk of a row to its next. */
    final long chunkStride;
    /** Columns in whole chunks; the columns after them are the tail. */
    final int vecCols;

    ChunkedMatrix(String name, int rows, int cols, MemorySegment data, DType type, int elementBytes, boolean packed, boolean pairRows) {
        super(name, rows, cols, data, type);
        this.layout = new ChunkLayout(rows, cols, elementBytes, packed, pairRows);
        this.chunkStride = layout.chunkStride;
        this.vecCols = layout.vecCols();
    }

    /** The same format over other memory, in the packed or the row-major layout. */
    abstract ChunkedMatrix over(MemorySegment data, boolean packed);

    /** Row r's L values at byte offset {@code offset}, as floats. */
    abstract FloatVector chunk(int r, long offset);

    /** Packed, a tile's first two tokens go through {@link #block8x2}, which reads the tile as one stream. */
    @Override
    final boolean pairsFirst() {
        return layout.packed;
    }

    @Override
    public final WeightMatrix packInto(MemorySegment dst) {
        ChunkedMatrix p = over(dst, true);
        layout.copy(data, p.layout, dst, rows);
        return p;
    }

    /** Byte offset of row r's first chunk. */
    final long base(int r) {
        return layout.base(r);
    }

    @Override
    public final void decodeRow(int row, float[] dst, int off) {
        long base = base(row);
        for (int i = 0; i < vecCols; i += L) chunk(row, base + chunkStride * (i / L)).intoArray(dst, off + i);
        for (int i = vecCols; i < cols; i++) dst[off + i] = weight(row, i);
    }

    /** Row r's dot product from its accumulator: the lane sum, then the tail columns one by one. */
    final float finish(FloatVector acc, int r, float[] x, int xo) {
        float sum = VectorMath.sumLanes(acc);
        for (int i = vecCols; i < cols; i++) sum = Math.fma(weight(r, i), x[xo + i], sum);
        return sum;
    }
}
