package dev.pagoda.cli;

import dev.pagoda.kernel.WorkerPool;
import jdk.incubator.vector.FloatVector;
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

    /** Best of 5 streaming reads of 1 GiB split over the pool's threads, GB/s. */
    static double readBandwidth(WorkerPool pool) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate(BYTES, 4096);
            seg.fill((byte) 1);
            int chunks = 1 << 12;
            long chunk = BYTES / chunks;
            float[] sink = new float[pool.size() * 16];
            for (int i = 0; i < 2000; i++) sink[0] += sum(seg, 0, 1 << 16); // C2-compile the loop before timing it
            double best = 0;
            for (int run = 0; run < 5 + 3; run++) { // the first 3 warm the caches and threads
                long t = System.nanoTime();
                pool.parallelFor(chunks, (worker, start, end) -> sink[worker * 16] += sum(seg, start * chunk, end * chunk));
                double gbs = BYTES / ((System.nanoTime() - t) / 1e9) / 1e9;
                if (run >= 3) best = Math.max(best, gbs);
            }
            return best;
        }
    }

    /** Sums the floats of [from, to) with four independent 512-bit accumulators (enough to keep loads in flight). */
    private static float sum(MemorySegment seg, long from, long to) {
        FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0;
        for (long o = from; o < to; o += 256) {
            a0 = a0.add(FloatVector.fromMemorySegment(F512, seg, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F512, seg, o + 64, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F512, seg, o + 128, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F512, seg, o + 192, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2.add(a3)).lane(0);
    }

    /**
     * F32 FMA throughput on all the pool's threads, GFLOP/s: best of 30 short runs (about 10 ms
     * each at full speed), so that on a shared machine some run finds both cores free.
     */
    static double fmaPeak(WorkerPool pool) {
        int iterations = 5_000_000;
        float[] sink = new float[pool.size() * 16];
        for (int i = 0; i < 2000; i++) sink[0] += fmas(10_000, i); // C2-compile the loop before timing it
        double best = 0;
        for (int run = 0; run < 30 + 3; run++) {
            long t = System.nanoTime();
            pool.parallelFor(pool.size(), (worker, start, end) -> sink[worker * 16] += fmas(iterations, worker));
            double gflops = 2.0 * 12 * F512.length() * iterations * pool.size() / ((System.nanoTime() - t) / 1e9) / 1e9;
            if (run >= 3) best = Math.max(best, gflops);
        }
        return best;
    }

    /** 12 independent FMA chains: more than latency × ports, so the FMA units never wait. */
    private static float fmas(int iterations, int seed) {
        FloatVector m = FloatVector.broadcast(F512, 0.999999f), c = FloatVector.broadcast(F512, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(F512, seed), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3), a4 = a0.add(4),
                a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7), a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c); a1 = a1.fma(m, c); a2 = a2.fma(m, c); a3 = a3.fma(m, c);
            a4 = a4.fma(m, c); a5 = a5.fma(m, c); a6 = a6.fma(m, c); a7 = a7.fma(m, c);
            a8 = a8.fma(m, c); a9 = a9.fma(m, c); a10 = a10.fma(m, c); a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11).lane(0);
    }
}
