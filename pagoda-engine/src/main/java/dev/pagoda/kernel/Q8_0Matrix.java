package dev.pagoda.kernel;

import dev.pagoda.model.loader.DType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/** GGML Q8_0: blocks of 32 values, an F16 scale d then 32 signed bytes q; value = d·q. */
public final class Q8_0Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final int L = F.length();
    /** L bytes: one chunk's worth, widened to L floats. */
    private static final VectorSpecies<Byte> BL = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * L));
    private static final int CHUNKS = 32 / L;
    private static final int BLOCK_BYTES = 34;
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Packed layout (see {@link WeightMatrix#TILE_ROWS}): each tile of 8 rows stores its rows'
     * 32-value blocks block by block, the 8 rows' blocks one after the other; row-major
     * otherwise (a mapped checkpoint).
     */
    private final boolean packed;
    /** Bytes from one of a row's blocks to its next: 34 row-major, 8 · 34 packed. */
    private final long blockStride;

    Q8_0Matrix(String name, int rows, int cols, MemorySegment data, boolean packed) {
        super(name, rows, cols, data, DType.Q8_0);
        this.packed = packed;
        this.blockStride = packed ? (long) BLOCK_BYTES * TILE_ROWS : BLOCK_BYTES;
    }

    /** Bytes of the packed layout of a rows × cols matrix (the last tile padded to 8 rows). */
    static long packedBytes(int rows, int cols) {
        return tiles(rows) * TILE_ROWS * (long) (cols / 32) * BLOCK_BYTES;
    }

    @Override
    public WeightMatrix packInto(MemorySegment dst) {
        Q8_0Matrix p = new Q8_0Matrix(name, rows, cols, dst, true);
        IntStream.range(0, rows).parallel().forEach(r -> {
            for (int b = 0; b < cols / 32; b++) {
                MemorySegment.copy(data, base(r) + blockStride * b, dst, p.base(r) + p.blockStride * b, BLOCK_BYTES);
            }
        });
        return p;
    }

    /** Byte offset of row r's first block. */
    private long base(int r) {
        return packed ? (long) (r / TILE_ROWS) * TILE_ROWS * rowBytes + (long) (r % TILE_ROWS) * BLOCK_BYTES : r * rowBytes;
    }

    private float scale(long block) {
        return Float.float16ToFloat(data.get(LE_SHORT, block));
    }

    /** Values [j·L, (j+1)·L) of the block at byte offset {@code block}, as exact floats q·d. */
    private FloatVector chunk(long block, float d, int j) {
        ByteVector q = ByteVector.fromMemorySegment(BL, data, block + 2 + (long) j * L, ByteOrder.LITTLE_ENDIAN);
        return ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(d);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        long block = base(row);
        for (int b = 0; b < cols / 32; b++, block += blockStride) {
            float d = scale(block);
            for (int j = 0; j < CHUNKS; j++) chunk(block, d, j).intoArray(dst, off + 32 * b + j * L);
        }
    }

    @Override
    void block4x4(int r, float[] x, int xo, int xStride, float[] out, int oo, int outStride, float[] lanes) {
        long b0 = base(r), b1 = base(r + 1), b2 = base(r + 2), b3 = base(r + 3);
        int xo1 = xo + xStride, xo2 = xo1 + xStride, xo3 = xo2 + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00,
                a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int i = 0; i < cols; i += 32, b0 += blockStride, b1 += blockStride, b2 += blockStride, b3 += blockStride) {
            float d0 = scale(b0), d1 = scale(b1), d2 = scale(b2), d3 = scale(b3);
            for (int j = 0; j < CHUNKS; j++) {
                int c = i + j * L;
                FloatVector x0 = FloatVector.fromArray(F, x, xo + c), x1 = FloatVector.fromArray(F, x, xo1 + c),
                        x2 = FloatVector.fromArray(F, x, xo2 + c), x3 = FloatVector.fromArray(F, x, xo3 + c);
                FloatVector w = chunk(b0, d0, j);
                a00 = w.fma(x0, a00); a01 = w.fma(x1, a01); a02 = w.fma(x2, a02); a03 = w.fma(x3, a03);
                w = chunk(b1, d1, j);
                a10 = w.fma(x0, a10); a11 = w.fma(x1, a11); a12 = w.fma(x2, a12); a13 = w.fma(x3, a13);
                w = chunk(b2, d2, j);
                a20 = w.fma(x0, a20); a21 = w.fma(x1, a21); a22 = w.fma(x2, a22); a23 = w.fma(x3, a23);
                w = chunk(b3, d3, j);
                a30 = w.fma(x0, a30); a31 = w.fma(x1, a31); a32 = w.fma(x2, a32); a33 = w.fma(x3, a33);
            }
        }
        a00.intoArray(lanes, 0); a01.intoArray(lanes, L); a02.intoArray(lanes, 2 * L); a03.intoArray(lanes, 3 * L);
        a10.intoArray(lanes, 4 * L); a11.intoArray(lanes, 5 * L); a12.intoArray(lanes, 6 * L); a13.intoArray(lanes, 7 * L);
        a20.intoArray(lanes, 8 * L); a21.intoArray(lanes, 9 * L); a22.intoArray(lanes, 10 * L); a23.intoArray(lanes, 11 * L);
        a30.intoArray(lanes, 12 * L); a31.intoArray(lanes, 13 * L); a32.intoArray(lanes, 14 * L); a33.intoArray(lanes, 15 * L);
        finish4x4(lanes, cols, r, x, xo, xStride, out, oo, outStride);
    }

    @Override
    void block4x1(int r, float[] x, int xo, float[] out, int oo) {
        long b0 = base(r), b1 = base(r + 1), b2 = base(r + 2), b3 = base(r + 3);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < cols; i += 32, b0 += blockStride, b1 += blockStride, b2 += blockStride, b3 += blockStride) {
            float d0 = scale(b0), d1 = scale(b1), d2 = scale(b2), d3 = scale(b3);
            for (int j = 0; j < CHUNKS; j++) {
                FloatVector x0 = FloatVector.fromArray(F, x, xo + i + j * L);
                a0 = chunk(b0, d0, j).fma(x0, a0);
                a1 = chunk(b1, d1, j).fma(x0, a1);
                a2 = chunk(b2, d2, j).fma(x0, a2);
                a3 = chunk(b3, d3, j).fma(x0, a3);
            }
        }
        out[oo] = VectorMath.sumLanes(a0);
        out[oo + 1] = VectorMath.sumLanes(a1);
        out[oo + 2] = VectorMath.sumLanes(a2);
        out[oo + 3] = VectorMath.sumLanes(a3);
    }

    @Override
    float dot(int r, float[] x, int xo) {
        long b0 = base(r);
        FloatVector a0 = FloatVector.zero(F);
        for (int i = 0; i < cols; i += 32, b0 += blockStride) {
            float d0 = scale(b0);
            for (int j = 0; j < CHUNKS; j++) a0 = chunk(b0, d0, j).fma(FloatVector.fromArray(F, x, xo + i + j * L), a0);
        }
        return VectorMath.sumLanes(a0);
    }

    @Override
    float weight(int row, int col) {
        throw new AssertionError("quantized rows have no tail columns");
    }

    @Override
    public DType type() {
        return DType.Q8_0;
    }
}
