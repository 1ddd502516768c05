package dev.pagoda.cli;

import dev.pagoda.kernel.HugePages;
import dev.pagoda.kernel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** The machine's limits, measured with the same JIT and threads as the kernels: the denominators of {@code bench kernels}. */
final class Probes {
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final long BYTES = 1L << 30;

    private Probes() {
    }

    /**
     * The read probe's 1 GiB, filled, of the kind of memory the weights live in ({@link HugePages}:
     * on the test machine huge pages read ~40% faster than 4 KiB pages, so a probe over ordinary
     * pages would understate the denominator). Allocated once per benchmark and reused: a fresh
     * gigabyte per probe had the kernel find, zero and later take back huge pages around the very
     * runs the probes bracket.
     */
    static MemorySegment readBuffer(Arena arena) {
        MemorySegment seg = HugePages.allocate(arena, BYTES);
        seg.fill((byte) 1);
        return seg;
    }

    /** Best of 5 streaming reads of {@code buffer} ({@link #readBuffer}) split over the pool's threads, GB/s. */
    static double readBandwidth(WorkerPool pool, MemorySegment buffer) {
        int chunks = 1 << 12;
        long chunk = BYTES / chunks;
        float[] sink = new float[pool.size() * 16];
        for (int i = 0; i < 2000; i++) sink[0] += sum(buffer, 0, 1 << 16); // C2-compile the loop before timing it
        double best = 0;
        for (int run = 0; run < 5 + 3; run++) { // the first 3 warm the caches and threads
            long t = System.nanoTime();
            pool.parallelFor(chunks, (worker, start, end) -> sink[worker * 16] += sum(buffer, start * chunk, end * chunk));
            double gbs = BYTES / ((System.nanoTime() - t) / 1e9) / 1e9;
            if (run >= 3) best = Math.max(best, gbs);
        }
        return best;
    }

    /**
     * Sums the floats of [from, to) with eight independent 512-bit accumulators, in slices small
     * enough for an int-indexed loop (C2 optimises those fully; a long-indexed loop read slower
     * than the kernels it is meant to bound).
     */
    private static float sum(MemorySegment seg, long from, long to) {
        FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long start = from; start < to; start += SLICE) {
            MemorySegment s = seg.asSlice(start, Math.min(SLICE, to - start));
            for (int o = 0, n = (int) s.byteSize(); o < n; o += 512) {
                a0 = a0.add(FloatVector.fromMemorySegment(F512, s, o, ByteOrder.LITTLE_ENDIAN));
                a1 = a1.add(FloatVector.fromMemorySegment(F512, s, o + 64, ByteOrder.LITTLE_ENDIAN));
                a2 = a2.add(FloatVector.fromMemorySegment(F512, s, o + 128, ByteOrder.LITTLE_ENDIAN));
                a3 = a3.add(FloatVector.fromMemorySegment(F512, s, o + 192, ByteOrder.LITTLE_ENDIAN));
                a4 = a4.add(FloatVector.fromMemorySegment(F512, s, o + 256, ByteOrder.LITTLE_ENDIAN));
                a5 = a5.add(FloatVector.fromMemorySegment(F512, s, o + 320, ByteOrder.LITTLE_ENDIAN));
                a6 = a6.add(FloatVector.fromMemorySegment(F512, s, o + 384, ByteOrder.LITTLE_ENDIAN));
                a7 = a7.add(FloatVector.fromMemorySegment(F512, s, o + 448, ByteOrder.LITTLE_ENDIAN));
            }
        }
        // All lanes, so that no load is dead code to C2 (the probe once summed lane 0 only).
        return a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).reduceLanes(VectorOperators.ADD);
    }

    /** Bytes per int-indexed inner loop of {@link #sum}. */
    private static final long SLICE = 1 << 20;

    /**
     * F32 FMA throughput on all the pool's threads, GFLOP/s: best of 30 short runs (about 10 ms
     * each at full speed), so that on a shared machine some run finds both cores free.
     */
    static double fmaPeak(WorkerPool pool) {
        int iterations = 40_000;
        float[] operands = new float[8 * OPERAND_STRIDE];
        for (int i = 0; i < operands.length; i++) operands[i] = 1e-3f * (i % 13);
        float[] sink = new float[pool.size() * 16];
        for (int i = 0; i < 2000; i++) sink[0] += fmas(operands, 10); // C2-compile the loop before timing it
        double best = 0;
        for (int run = 0; run < 30 + 3; run++) {
            long t = System.nanoTime();
            pool.parallelFor(pool.size(), (worker, start, end) -> sink[worker * 16] += fmas(operands, iterations));
            double flops = 2.0 * 16 * F512.length() * (OPERAND_STRIDE / F512.length()) * iterations * pool.size();
            double gflops = flops / ((System.nanoTime() - t) / 1e9) / 1e9;
            if (run >= 3) best = Math.max(best, gflops);
        }
        return best;
    }

    /** Floats per operand row of {@link #fmas}: 8 rows of 1 KiB stay in L1. */
    private static final int OPERAND_STRIDE = 256;

    /**
     * 16 independent FMA chains fed by loads from L1 (a 4 × 4 register block, the shape of the
     * kernels). Not 12 chains of FMAs on two constants, the first version: compiled by C2 it
     * read 52 GFLOP/s per thread where this one and the same loop in C read 100–114 (why was not
     * established without a disassembler; re-materialised broadcasts of the constants would fit).
     */
    private static float fmas(float[] op, int iterations) {
        int s = OPERAND_STRIDE;
        FloatVector a00 = FloatVector.zero(F512), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00,
                a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int r = 0; r < iterations; r++) {
            for (int i = 0; i < s; i += F512.length()) {
                FloatVector x0 = FloatVector.fromArray(F512, op, i), x1 = FloatVector.fromArray(F512, op, s + i),
                        x2 = FloatVector.fromArray(F512, op, 2 * s + i), x3 = FloatVector.fromArray(F512, op, 3 * s + i);
                FloatVector w = FloatVector.fromArray(F512, op, 4 * s + i);
                a00 = w.fma(x0, a00); a01 = w.fma(x1, a01); a02 = w.fma(x2, a02); a03 = w.fma(x3, a03);
                w = FloatVector.fromArray(F512, op, 5 * s + i);
                a10 = w.fma(x0, a10); a11 = w.fma(x1, a11); a12 = w.fma(x2, a12); a13 = w.fma(x3, a13);
                w = FloatVector.fromArray(F512, op, 6 * s + i);
                a20 = w.fma(x0, a20); a21 = w.fma(x1, a21); a22 = w.fma(x2, a22); a23 = w.fma(x3, a23);
                w = FloatVector.fromArray(F512, op, 7 * s + i);
                a30 = w.fma(x0, a30); a31 = w.fma(x1, a31); a32 = w.fma(x2, a32); a33 = w.fma(x3, a33);
            }
        }
        return a00.add(a01).add(a02).add(a03).add(a10).add(a11).add(a12).add(a13).add(a20).add(a21).add(a22).add(a23)
                .add(a30).add(a31).add(a32).add(a33).reduceLanes(VectorOperators.ADD);
    }
}
