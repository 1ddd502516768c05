package dev.pagoda.cli;

import dev.pagoda.kernel.HugePages;
import dev.pagoda.kernel.Matmul;
import dev.pagoda.kernel.WeightMatrix;
import dev.pagoda.kernel.WorkerPool;
import dev.pagoda.model.DTypeConversion;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.loader.TensorData;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code pagoda bench kernels}: the weight kernels in isolation, next to the machine's limits
 * measured in the same process. Matrix-vector (decode) is reported in GB/s of weights read,
 * against the streaming-read probe; matrix-matrix (prefill, batched decode) in GFLOP/s, against
 * the FMA peak probe.
 */
final class KernelBench implements Command {
    private static final String USAGE = """
            usage: pagoda bench kernels [--num-threads N] [--formats F32,F16,BF16,Q8_0,Q4_0] [--runs 5]
                                        [--rows 8192] [--cols 8192] [--batch 128] [--cpu-time]
              matvec: one activation row times a rows × cols matrix (larger than the L3 cache), GB/s of weights
              matmul: --batch activation rows times a rows/2 × cols/2 matrix, GFLOP/s (2 × rows × cols × batch)
              probes: read bandwidth = best of 5 streaming reads of 1 GiB on all threads (huge pages, as the weights);
                      peak = F32 512-bit FMAs, 16 independent accumulators fed from L1, all threads;
                      both run before and after the kernels, and the better figure is the denominator
              --cpu-time: time kernels by the thread's CPU time, not the wall clock (needs --num-threads 1):
                          compares kernels on a busy machine; the probes stay wall-clock""";
    /**
     * The C probes' figures quoted for the reference machine (issue 7); a probe far below them
     * means a slow probe, a busy machine — or a different machine: bench/probes/*.c measure the
     * one at hand (on the AMD EPYC test machine: 231 GFLOP/s, 1 × 512-bit FMA per cycle per core,
     * and 34–51 GB/s in huge pages).
     */
    private static final double C_BANDWIDTH_GBS = 32, C_PEAK_GFLOPS = 380;
    private boolean cpuTime;

    @Override
    public String summary() {
        return "GB/s and GFLOP/s of each weight format's kernels next to bandwidth and FMA-peak probes";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = new CliArgs(argv, Set.of("--help", "--cpu-time"));
        if (a.takeSwitch("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        int threads = orDefault(a.takeInt("--num-threads"), Runtime.getRuntime().availableProcessors());
        int runs = orDefault(a.takeInt("--runs"), 5);
        int rows = orDefault(a.takeInt("--rows"), 8192), cols = orDefault(a.takeInt("--cols"), 8192);
        int batch = orDefault(a.takeInt("--batch"), 128);
        cpuTime = a.takeSwitch("--cpu-time");
        if (cpuTime && threads != 1) throw new IllegalArgumentException("--cpu-time needs --num-threads 1");
        List<DType> formats = a.has("--formats") ? Arrays.stream(a.take("--formats").split(",")).map(DType::parse).toList()
                : List.of(DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0);
        if (!a.remaining().isEmpty()) throw new IllegalArgumentException("unknown arguments " + a.remaining() + "\n" + USAGE);

        try (WorkerPool pool = new WorkerPool(threads); Arena probeArena = Arena.ofShared()) {
            MemorySegment probeBuffer = Probes.readBuffer(probeArena);
            double bandwidth = Probes.readBandwidth(pool, probeBuffer);
            double peak = Probes.fmaPeak(pool);
            System.out.printf("%d threads, %s-bit vectors, %s; load average %.2f%n", threads, dev.pagoda.kernel.VectorMath.bits(),
                    cpuTime ? "kernels timed by CPU time" : "wall-clock times", loadAverage());
            System.out.printf("%-6s %14s %16s%n", "format", "matvec GB/s", "matmul GFLOP/s");
            Matmul matmul = new Matmul(pool);
            double[][] figures = new double[formats.size()][];
            for (int i = 0; i < formats.size(); i++) {
                DType f = formats.get(i);
                try (Arena arena = Arena.ofShared()) {
                    WeightMatrix big = randomMatrix(arena, f, rows, cols);
                    float[] x = randomVector(cols * Math.max(1, batch));
                    float[] out = new float[rows * Math.max(1, batch)];
                    double mv = median(runs, () -> time(() -> matmul.multiply(big, x, cols, 1, out, rows)));
                    double gbs = big.data().byteSize() / mv / 1e9;
                    WeightMatrix small = randomMatrix(arena, f, rows / 2, cols / 2);
                    double mm = median(runs, () -> time(() -> matmul.multiply(small, x, cols / 2, batch, out, rows / 2)));
                    double gflops = 2.0 * (rows / 2) * (cols / 2) * batch / mm / 1e9;
                    figures[i] = new double[]{gbs, gflops};
                    System.out.printf("%-6s %14.1f %16.1f%n", f, gbs, gflops);
                }
            }
            // Probes again after the kernels: on a shared machine the better of the two is the fairer denominator.
            bandwidth = Math.max(bandwidth, Probes.readBandwidth(pool, probeBuffer));
            peak = Math.max(peak, Probes.fmaPeak(pool));
            System.out.printf("%nprobe read bandwidth %8.1f GB/s%s%n", bandwidth, below(bandwidth, C_BANDWIDTH_GBS, "GB/s"));
            System.out.printf("probe F32 FMA peak   %8.1f GFLOP/s%s%n", peak, below(peak, C_PEAK_GFLOPS, "GFLOP/s"));
            System.out.printf("%-6s %14s %8s %16s %8s%n", "format", "matvec GB/s", "% probe", "matmul GFLOP/s", "% peak");
            for (int i = 0; i < formats.size(); i++) {
                System.out.printf("%-6s %14.1f %7.0f%% %16.1f %7.0f%%%n", formats.get(i), figures[i][0], 100 * figures[i][0] / bandwidth,
                        figures[i][1], 100 * figures[i][1] / peak);
            }
            System.out.printf("load average %.2f%n", loadAverage());
        }
        return 0;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static String below(double measured, double reference, String unit) {
        return measured < 0.9 * reference
                ? String.format("   (more than 10%% below the reference C figure of %.0f %s: a busy or different machine,"
                        + " or a slow probe; bench/probes has the C probes to compare)", reference, unit)
                : "";
    }

    /** A random rows × cols matrix laid out as the engine lays out weights: packed, in huge pages. */
    static WeightMatrix randomMatrix(Arena arena, DType type, int rows, int cols) {
        SplittableRandom rnd = new SplittableRandom(rows * 31L + cols);
        try (Arena scratch = Arena.ofShared()) {
            MemorySegment seg = scratch.allocate(type.bytesFor((long) rows * cols), 64);
            float[] row = new float[cols];
            long off = 0;
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < cols; i++) row[i] = (float) rnd.nextGaussian() * 0.05f;
                off = DTypeConversion.encode(row, type, seg, off);
            }
            WeightMatrix rowMajor = WeightMatrix.of(new TensorData(type + " " + rows + "x" + cols, type, new long[]{rows, cols}, seg));
            return rowMajor.packInto(HugePages.allocate(arena, rowMajor.packedBytes()));
        }
    }

    private static float[] randomVector(int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }

    /** Seconds one call of {@code r} takes. */
    private double time(Runnable r) {
        if (cpuTime) {
            var mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long t = mx.getCurrentThreadCpuTime();
            r.run();
            return (mx.getCurrentThreadCpuTime() - t) / 1e9;
        }
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1e9;
    }

    private interface Timed {
        double seconds();
    }

    /**
     * Median seconds of {@code runs} runs after warm-up runs that let the JIT compile the kernels:
     * at least 3 s and 30 runs, since until C2 has compiled them the vector kernels run boxed and
     * many times slower.
     */
    private static double median(int runs, Timed timed) {
        long warmUntil = System.nanoTime() + 3_000_000_000L;
        for (int i = 0; i < 30 || System.nanoTime() < warmUntil; i++) timed.seconds();
        double[] s = new double[runs];
        for (int i = 0; i < runs; i++) s[i] = timed.seconds();
        Arrays.sort(s);
        return runs % 2 == 1 ? s[runs / 2] : (s[runs / 2 - 1] + s[runs / 2]) / 2;
    }

    private static int orDefault(Integer v, int d) {
        return v != null ? v : d;
    }
}
