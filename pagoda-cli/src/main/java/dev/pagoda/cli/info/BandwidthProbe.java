package dev.pagoda.cli.info;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory read bandwidth as decode sees it: threads stream disjoint slices of an off-heap buffer
 * much larger than the caches with Vector API loads (as the kernels read memory-mapped weights).
 * The best of several passes, in GB/s (10^9 bytes per second).
 */
public final class BandwidthProbe {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private BandwidthProbe() {
    }

    public static double readGbPerSecond(long bytes, int threads, int passes) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 64);
            buffer.fill((byte) 1); // touch every page so the probe does not measure page faults
            long slice = bytes / threads / S.vectorByteSize() * S.vectorByteSize();
            double best = 0;
            float[] sink = new float[threads];
            for (int p = 0; p < passes + 1; p++) { // the first pass warms the JIT
                List<Thread> workers = new ArrayList<>();
                long start = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    workers.add(Thread.ofPlatform().start(() -> sink[id] += sum(buffer, id * slice, slice)));
                }
                for (Thread w : workers) w.join();
                double seconds = (System.nanoTime() - start) / 1e9;
                if (p > 0) best = Math.max(best, slice * threads / seconds / 1e9);
            }
            return best;
        }
    }

    private static float sum(MemorySegment m, long offset, long length) {
        FloatVector a = FloatVector.zero(S), b = FloatVector.zero(S);
        long step = S.vectorByteSize();
        for (long o = offset; o + 2 * step <= offset + length; o += 2 * step) {
            a = a.add(FloatVector.fromMemorySegment(S, m, o, ByteOrder.LITTLE_ENDIAN));
            b = b.add(FloatVector.fromMemorySegment(S, m, o + step, ByteOrder.LITTLE_ENDIAN));
        }
        return a.add(b).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
