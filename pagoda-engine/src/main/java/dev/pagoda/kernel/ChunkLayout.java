package dev.pagoda.kernel;

import java.lang.foreign.MemorySegment;
import java.util.stream.IntStream;

/**
 * Where element (r, c) of a matrix of fixed-width values (F32, BF16) lives: row-major (a mapped
 * checkpoint), or packed — the whole L-column chunks of each tile of {@link WeightMatrix#TILE_ROWS}
 * rows stored chunk by chunk, the tile's rows one after the other within a chunk, so that the
 * 8-row decode kernel reads one sequential stream; the tail columns (cols mod L) follow all the
 * tiles, row-major. The last tile is padded to 8 rows.
 */
final class ChunkLayout {
    private static final int L = VectorMath.L;
    private final int cols, elementBytes, vecCols;
    private final long rowBytes, tailStart;
    private final boolean packed;
    /** Bytes from column i to column i + L of one row: L elements row-major, 8 · L packed. */
    final long chunkStride;

    ChunkLayout(int rows, int cols, int elementBytes, boolean packed) {
        this.cols = cols;
        this.elementBytes = elementBytes;
        this.packed = packed;
        this.vecCols = cols - cols % L;
        this.rowBytes = (long) elementBytes * cols;
        this.chunkStride = (long) elementBytes * L * (packed ? LaneSumMatrix.TILE_ROWS : 1);
        this.tailStart = packed ? LaneSumMatrix.tiles(rows) * LaneSumMatrix.TILE_ROWS * (long) elementBytes * vecCols : 0;
    }

    /** Bytes of the packed layout of a rows × cols matrix. */
    static long packedBytes(int rows, int cols, int elementBytes) {
        int vec = cols - cols % L;
        return LaneSumMatrix.tiles(rows) * LaneSumMatrix.TILE_ROWS * (long) elementBytes * vec + (long) elementBytes * rows * (cols - vec);
    }

    /** Columns in whole L-wide chunks; the rest are the tail. */
    int vecCols() {
        return vecCols;
    }

    /** Byte offset of row r's column 0 (the start of its first chunk). */
    long base(int r) {
        return packed ? (long) (r / LaneSumMatrix.TILE_ROWS) * LaneSumMatrix.TILE_ROWS * elementBytes * vecCols
                + (long) (r % LaneSumMatrix.TILE_ROWS) * elementBytes * L : r * rowBytes;
    }

    /** Byte offset of element (r, c). */
    long offset(int r, int c) {
        if (c >= vecCols && packed) return tailStart + (long) elementBytes * ((long) r * (cols - vecCols) + c - vecCols);
        return base(r) + chunkStride * (c / L) + (long) elementBytes * (c % L);
    }

    /** Copies every element of {@code rows} rows from {@code src} in this layout to {@code dst} in {@code target}'s, rows in parallel. */
    void copy(MemorySegment src, ChunkLayout target, MemorySegment dst, int rows) {
        IntStream.range(0, rows).parallel().forEach(r -> { // a 1 GB model in about a second
            for (int c = 0; c < vecCols; c += L) MemorySegment.copy(src, offset(r, c), dst, target.offset(r, c), (long) elementBytes * L);
            for (int c = vecCols; c < cols; c++) MemorySegment.copy(src, offset(r, c), dst, target.offset(r, c), elementBytes);
        });
    }
}
