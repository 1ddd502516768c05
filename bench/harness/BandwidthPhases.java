import dev.pagoda.kernel.HugePages;
import dev.pagoda.kernel.Matmul;
import dev.pagoda.kernel.WeightMatrix;
import dev.pagoda.kernel.WorkerPool;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.loader.TensorData;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Whether the decode kernels keep up with the machine's read bandwidth as it changes: rounds of a
 * streaming read of 1 GiB (as {@code bench kernels}' probe reads it), the best of three BF16 and
 * three Q8_0 matrix-vector products over ~0.5 GB each (packed, huge pages, two threads), and the
 * read again; one round per second (args: rounds, default 60). Written when the probe's figure
 * was found to switch between ~33 and ~55 GB/s: the printed rounds show whether a product reads
 * at the rate of its moment in both phases.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o install -DskipTests -pl pagoda-engine
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp pagoda-engine/target/pagoda-engine-0.1.0-SNAPSHOT.jar bench/harness/BandwidthPhases.java 60
 * </pre>
 */
public class BandwidthPhases {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final long PROBE_BYTES = 1L << 30, SLICE = 1 << 20;

    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        Arena arena = Arena.ofShared();
        MemorySegment probe = HugePages.allocate(arena, PROBE_BYTES);
        probe.fill((byte) 1);
        WeightMatrix bf16 = matrix(arena, DType.BF16, 8192, 32768), q8 = matrix(arena, DType.Q8_0, 16384, 28672);
        try (WorkerPool pool = new WorkerPool(2)) {
            Matmul matmul = new Matmul(pool);
            float[] x = new float[32768], out = new float[16384];
            Arrays.fill(x, 0.01f);
            for (int i = 0; i < 30; i++) { // compile the kernels and the probe loop before timing them
                read(pool, probe);
                matmul.multiply(bf16, x, bf16.cols(), 1, out, bf16.rows());
                matmul.multiply(q8, x, q8.cols(), 1, out, q8.rows());
            }
            System.out.println("second  read  BF16  Q8_0  read   (GB/s; each product the best of 3)");
            for (int r = 0; r < rounds; r++) {
                double before = read(pool, probe), b = 0, q = 0;
                for (int k = 0; k < 3; k++) {
                    b = Math.max(b, product(matmul, bf16, x, out));
                    q = Math.max(q, product(matmul, q8, x, out));
                }
                double after = read(pool, probe);
                System.out.printf("%6.1f %5.1f %5.1f %5.1f %5.1f%n", System.nanoTime() / 1e9 % 1e4, before, b, q, after);
                Thread.sleep(1000);
            }
        }
    }

    /** A matrix of the engine's packed layout whose every byte is 0x3C (normal BF16 values, Q8_0 scales and quants). */
    private static WeightMatrix matrix(Arena arena, DType type, int rows, int cols) {
        try (Arena scratch = Arena.ofShared()) {
            MemorySegment rowMajor = scratch.allocate(type.bytesFor((long) rows * cols), 64);
            rowMajor.fill((byte) 0x3C);
            WeightMatrix m = WeightMatrix.of(new TensorData(type.toString(), type, new long[]{rows, cols}, rowMajor));
            return m.packInto(HugePages.allocate(arena, m.packedBytes()));
        }
    }

    private static double product(Matmul matmul, WeightMatrix m, float[] x, float[] out) {
        long t = System.nanoTime();
        matmul.multiply(m, x, m.cols(), 1, out, m.rows());
        return m.data().byteSize() / ((System.nanoTime() - t) / 1e9) / 1e9;
    }

    private static double read(WorkerPool pool, MemorySegment seg) {
        int chunks = 1 << 12;
        long chunk = PROBE_BYTES / chunks;
        float[] sink = new float[pool.size() * 16];
        long t = System.nanoTime();
        pool.parallelFor(chunks, (worker, start, end) -> sink[worker * 16] += sum(seg, start * chunk, end * chunk));
        return PROBE_BYTES / ((System.nanoTime() - t) / 1e9) / 1e9;
    }

    /** The probe's loop: eight 512-bit accumulators over int-indexed 1 MiB slices. */
    private static float sum(MemorySegment seg, long from, long to) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long start = from; start < to; start += SLICE) {
            MemorySegment s = seg.asSlice(start, Math.min(SLICE, to - start));
            for (int o = 0, n = (int) s.byteSize(); o < n; o += 512) {
                a0 = a0.add(FloatVector.fromMemorySegment(F, s, o, ByteOrder.LITTLE_ENDIAN));
                a1 = a1.add(FloatVector.fromMemorySegment(F, s, o + 64, ByteOrder.LITTLE_ENDIAN));
                a2 = a2.add(FloatVector.fromMemorySegment(F, s, o + 128, ByteOrder.LITTLE_ENDIAN));
                a3 = a3.add(FloatVector.fromMemorySegment(F, s, o + 192, ByteOrder.LITTLE_ENDIAN));
                a4 = a4.add(FloatVector.fromMemorySegment(F, s, o + 256, ByteOrder.LITTLE_ENDIAN));
                a5 = a5.add(FloatVector.fromMemorySegment(F, s, o + 320, ByteOrder.LITTLE_ENDIAN));
                a6 = a6.add(FloatVector.fromMemorySegment(F, s, o + 384, ByteOrder.LITTLE_ENDIAN));
                a7 = a7.add(FloatVector.fromMemorySegment(F, s, o + 448, ByteOrder.LITTLE_ENDIAN));
            }
        }
        return a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).reduceLanes(VectorOperators.ADD);
    }
}
