package dev.pagoda.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * Where element (r, c) of a matrix of fixed-width values (F32, BF16) lives: row-major (a mapped
 * checkpoint), or packed — the whole L-column chunks of each tile of {@link LaneSumMatrix#TILE_ROWS}
 * rows stored chunk by chunk, the tile's rows one after the other within a chunk, so that the
 * 8-row decode kernel reads one sequential stream; the tail columns (cols mod L) follow all the
 * tiles, row-major. The last tile is padded to 8 rows.
 *
 * <p>With {@code pairRows} (BF16), the rows of a chunk are stored in pairs, the two rows' values
 * alternating: one 32-bit lane then holds row 2k's value in its low half and row 2k+1's in its
 * high half, and a shift or a mask turns one load into both rows' values as floats.
 */
final class ChunkLayout {
    private static final int L = VectorMath.L;
    private static final int TILE_ROWS = LaneSumMatrix.TILE_ROWS;
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final int cols, elementBytes, vecCols;
    private final long rowBytes, tailStart, tileBytes;
    private final boolean pairRows;
    /** Whether the layout is the packed tiles (else row-major). */
    final boolean packed;
    /** Bytes from column i to column i + 1 of one row within a chunk: one value, two with pairRows. */
    private final long elementStride;
    /** Bytes from column i to column i + L of one row: L elements row-major, 8 · L packed. */
    final long chunkStride;

    ChunkLayout(int rows, int cols, int elementBytes, boolean packed, boolean pairRows) {
        if (packed && elementBytes != (pairRows ? 2 : 4)) throw new IllegalArgumentException("packed tiles hold 4-byte values or pairs of 2-byte values");
        this.cols = cols;
        this.elementBytes = elementBytes;
        this.packed = packed;
        this.pairRows = packed && pairRows;
        this.vecCols = cols - cols % L;
        this.rowBytes = (long) elementBytes * cols;
        this.elementStride = (long) elementBytes * (this.pairRows ? 2 : 1);
        this.chunkStride = (long) elementBytes * L * (packed ? TILE_ROWS : 1);
        this.tileBytes = (long) TILE_ROWS * elementBytes * vecCols;
        this.tailStart = packed ? LaneSumMatrix.tiles(rows) * tileBytes : 0;
    }

    /** Bytes of the packed layout of a rows × cols matrix. */
    static long packedBytes(int rows, int cols, int elementBytes) {
        int vec = cols - cols % L;
        return LaneSumMatrix.tiles(rows) * TILE_ROWS * (long) elementBytes * vec + (long) elementBytes * rows * (cols - vec);
    }

    /** Columns in whole L-wide chunks; the rest are the tail. */
    int vecCols() {
        return vecCols;
    }

    /** Byte offset of row r's column 0. With pairRows, an odd row's is its pair's plus one value. */
    long base(int r) {
        if (!packed) return r * rowBytes;
        int inTile = r % TILE_ROWS;
        long within = pairRows ? (long) (inTile / 2) * 2 * elementBytes * L + (long) (inTile % 2) * elementBytes
                : (long) inTile * elementBytes * L;
        return (r / TILE_ROWS) * tileBytes + within;
    }

    /** Byte offset of element (r, c). */
    long offset(int r, int c) {
        if (c >= vecCols && packed) return tailStart + (long) elementBytes * ((long) r * (cols - vecCols) + c - vecCols);
        return base(r) + chunkStride * (c / L) + elementStride * (c % L);
    }

    /**
     * Copies every element of {@code rows} rows from {@code src} in this (row-major) layout to
     * {@code dst} in {@code target}'s (packed), rows (pairs of rows) in parallel: a 1 GB model
     * in about a second.
     */
    void copy(MemorySegment src, ChunkLayout target, MemorySegment dst, int rows) {
        if (packed || !target.packed) throw new IllegalStateException("copies go from row-major to packed");
        long tail = (long) elementBytes * (cols - vecCols);
        if (target.pairRows) {
            IntStream.range(0, (rows + 1) / 2).parallel().forEach(pair -> {
                int r = 2 * pair;
                copyPair(src, r, r + 1 < rows, target, dst);
                for (int k = r; tail > 0 && k < Math.min(rows, r + 2); k++) MemorySegment.copy(src, offset(k, vecCols), dst, target.offset(k, vecCols), tail);
            });
            return;
        }
        IntStream.range(0, rows).parallel().forEach(r -> {
            for (int c = 0; c < vecCols; c += L) MemorySegment.copy(src, offset(r, c), dst, target.offset(r, c), (long) elementBytes * L);
            if (tail > 0) MemorySegment.copy(src, offset(r, vecCols), dst, target.offset(r, vecCols), tail);
        });
    }

    /** The whole chunks of rows r and r+1 (zeros if {@code second} is false), their 2-byte values alternating. */
    private void copyPair(MemorySegment src, int r, boolean second, ChunkLayout target, MemorySegment dst) {
        long even = offset(r, 0), odd = second ? offset(r + 1, 0) : -1;
        for (int c = 0; c < vecCols; c += L) {
            long to = target.offset(r, c);
            for (int j = 0; j < L; j++) {
                long from = 2L * (c + j);
                int low = src.get(LE_SHORT, even + from) & 0xFFFF, high = second ? src.get(LE_SHORT, odd + from) << 16 : 0;
                dst.set(LE_INT, to + 4L * j, low | high);
            }
        }
    }
}
