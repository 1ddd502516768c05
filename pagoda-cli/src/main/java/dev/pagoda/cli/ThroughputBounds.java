package dev.pagoda.cli;

import dev.pagoda.engine.LLM;
import dev.pagoda.kernel.WorkerPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The limits {@code bench throughput} holds its medians against, measured in the same process
 * with {@link Probes}: read bandwidth bounds single-stream decode (every step reads all the
 * weights), the F32 FMA peak bounds prompt processing and batched decode (2 FLOPs per weight per
 * token). The better of two probe runs counts — one before the benchmark, one after — so that a
 * busy moment on a shared machine does not lower the bar. Holds the probes' threads and buffer
 * until closed.
 */
final class ThroughputBounds implements AutoCloseable {
    private final WorkerPool pool;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment readBuffer;
    private double bandwidthGbs;
    private double peakGflops;
    /** Single-stream decode runs, each as a fraction of a read probe taken just before it. */
    private final List<Double> pairedDecode = new ArrayList<>();

    private ThroughputBounds(int threads) {
        readBuffer = Probes.readBuffer(arena); // first: a pool started before a failed allocation would be left running
        pool = new WorkerPool(threads);
    }

    static ThroughputBounds measure(int threads) {
        ThroughputBounds b = new ThroughputBounds(threads);
        b.probe();
        return b;
    }

    private void probe() {
        bandwidthGbs = Math.max(bandwidthGbs, Probes.readBandwidth(pool, readBuffer));
        peakGflops = Math.max(peakGflops, Probes.fmaPeak(pool));
    }

    /**
     * The read probe of {@code bench kernels} (best of 5 reads of 1 GiB), taken just before and
     * just after each single-stream decode run: this machine's bandwidth switches between about
     * 33 and 55 GB/s, every buffer at once, for seconds to minutes
     * ({@code docs/bench/throughput/bandwidth-phases.log}), so a probe from another moment can
     * be in the other phase. Returns the probe, GB/s.
     */
    double readNow() {
        double gbs = Probes.readBandwidth(pool, readBuffer);
        bandwidthGbs = Math.max(bandwidthGbs, gbs);
        return gbs;
    }

    /** Records a decode run's GB/s over the better of the probes taken just before and just after it. */
    void pairDecode(double runGbs, double probeBefore, double probeAfter) {
        pairedDecode.add(runGbs / Math.max(probeBefore, probeAfter));
    }

    /** Probes again, prints each median against its bound and returns the figures for the JSON report. */
    Map<String, Object> report(LLM llm, Map<String, Object> results) {
        probe();
        double bytes = llm.weights().bytesReadPerStep();
        double flopsPerToken = 2.0 * llm.weights().matmulParameters();
        System.out.printf("%nbounds: probes %.1f GB/s read, %.1f GFLOP/s F32 FMA peak (%d threads, best of before and after);%n"
                        + "        %.1f MiB of weights read per step, %.4f GFLOP per token%n",
                bandwidthGbs, peakGflops, pool.size(), bytes / 1048576, flopsPerToken / 1e9);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("read_bandwidth_gb_per_s", bandwidthGbs);
        out.put("fma_peak_gflop_per_s", peakGflops);
        out.put("weight_bytes_per_step", (long) bytes);
        out.put("flops_per_token", flopsPerToken);
        for (Map.Entry<String, Object> e : results.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> m) || !m.containsKey("median_tokens_per_s")) continue;
            double tps = (Double) m.get("median_tokens_per_s");
            boolean decodeOne = e.getKey().startsWith("tg");
            double fraction;
            if (decodeOne) {
                double gbs = tps * bytes / 1e9;
                fraction = gbs / bandwidthGbs;
                System.out.printf("%-10s %8.2f t/s = %6.1f GB/s = %3.0f%% of the read bound (%.1f t/s)%n",
                        e.getKey(), tps, gbs, 100 * fraction, bandwidthGbs * 1e9 / bytes);
                if (m.get("median_time_per_output_token_s") instanceof Double step) {
                    double stepGbs = bytes / step / 1e9;
                    System.out.printf("%-10s median step %.2f t/s = %6.1f GB/s = %3.0f%% of the read bound%n", "",
                            1 / step, stepGbs, 100 * stepGbs / bandwidthGbs);
                    out.put(e.getKey() + "_median_step_fraction_of_bound", stepGbs / bandwidthGbs);
                }
                if (!pairedDecode.isEmpty()) {
                    double median = PrefixCacheBench.median(pairedDecode.stream().mapToDouble(Double::doubleValue).toArray());
                    System.out.printf("%-10s %3.0f%% of the better read probe taken just before and after each run (median of %d; %s)%n", "",
                            100 * median, pairedDecode.size(), String.join(" ", pairedDecode.stream().map(f -> String.format("%.0f%%", 100 * f)).toList()));
                    out.put(e.getKey() + "_fraction_of_paired_probe", median);
                }
            } else {
                double gflops = tps * flopsPerToken / 1e9;
                fraction = gflops / peakGflops;
                System.out.printf("%-10s %8.2f t/s = %6.1f GFLOP/s = %3.0f%% of the FMA peak (%.1f t/s)%n",
                        e.getKey(), tps, gflops, 100 * fraction, peakGflops * 1e9 / flopsPerToken);
            }
            out.put(e.getKey() + "_fraction_of_bound", fraction);
        }
        return out;
    }

    @Override
    public void close() {
        pool.close();
        arena.close();
    }
}
