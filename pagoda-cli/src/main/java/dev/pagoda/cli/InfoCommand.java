package dev.pagoda.cli;

import dev.pagoda.cli.info.BandwidthProbe;
import dev.pagoda.cli.info.MatmulSelfTest;
import dev.pagoda.cli.info.SystemInfo;
import dev.pagoda.cli.info.VectorInfo;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.VectorApiCheck;

import java.util.Locale;

/**
 * {@code pagoda info}: the environment check — CPU, memory, JDK and flags, the Vector API's SIMD
 * width and whether it is intrinsified, a matmul self-test (Vector API vs scalar, results checked)
 * and the read bandwidth. Exits non-zero when the Vector API module is missing or the self-test fails.
 */
final class InfoCommand implements Command {
    private static final String USAGE = """
            usage: pagoda info [--matmul-size 1024] [--bandwidth-buffer 512MiB] [--threads N]
              Prints the CPU, memory, JDK, Vector API width and intrinsification, then runs a single-threaded
              N×N matmul with the Vector API and with scalar code (results compared; GFLOP/s and speed-up) and a
              read-bandwidth probe over an off-heap buffer with N threads (default: all cores).""";
    private static final double GIB = 1L << 30;

    @Override
    public String summary() {
        return "environment check: CPU, memory, JDK, Vector API width, matmul self-test, read bandwidth";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = CliArgs.parse(argv, USAGE);
        if (a == null) return 0; // --help printed the usage
        Integer size = a.takeInt("--matmul-size");
        String buffer = a.take("--bandwidth-buffer");
        Integer threads = a.takeInt("--threads");
        if (!a.remaining().isEmpty()) throw new IllegalArgumentException("unknown flag '" + a.remaining().getFirst() + "'");
        int n = size != null ? size : 1024;
        long bytes = buffer != null ? EngineArgs.bytes("--bandwidth-buffer", buffer) : 512L << 20;
        int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        if (n < 1 || workers < 1) throw new IllegalArgumentException("--matmul-size and --threads must be positive");

        int physical = SystemInfo.physicalCores();
        line("CPU", String.format("%s, %d logical cores%s; SIMD: %s", SystemInfo.cpuModel(), Runtime.getRuntime().availableProcessors(),
                physical > 0 ? " (" + physical + " physical)" : "", String.join(" ", SystemInfo.simdFlags())));
        long cgroup = SystemInfo.cgroupLimit();
        line("Memory", String.format(Locale.ROOT, "total %.1f GiB, available %.1f GiB, cgroup limit %s; JVM heap limit %.1f GiB",
                SystemInfo.meminfo("MemTotal") / GIB, SystemInfo.meminfo("MemAvailable") / GIB,
                cgroup < 0 ? "none" : String.format(Locale.ROOT, "%.1f GiB", cgroup / GIB), Runtime.getRuntime().maxMemory() / GIB));
        line("JDK", Runtime.version() + " (" + System.getProperty("java.vm.name") + ", " + System.getProperty("java.vm.vendor") + ", "
                + System.getProperty("java.vm.info") + ")");
        line("JVM flags", String.join(" ", SystemInfo.jvmFlags()));
        if (!VectorApiCheck.available()) {
            line("Vector API", "MISSING");
            VectorApiCheck.require(); // fails with the flags to add
        }
        int bits = VectorInfo.preferredBits();
        boolean intrinsified = VectorInfo.intrinsified();
        line("Vector API", String.format("preferred species %d bits (%d floats); C2 %s, MaxVectorSize %s bytes: %s", bits, bits / 32,
                SystemInfo.c2Available() ? "on" : "off", SystemInfo.vmOption("MaxVectorSize"),
                intrinsified ? "intrinsified" : "NOT intrinsified (Vector API calls run as slow Java loops)"));
        MatmulSelfTest.Result m = MatmulSelfTest.run(n);
        line("Self-test", String.format(Locale.ROOT, "%d×%d matmul, 1 thread: Vector API %.2f GFLOP/s, scalar %.2f GFLOP/s, speed-up %.1fx; "
                        + "results %s (largest relative difference %.1e)", n, n, m.vectorGflops(), m.scalarGflops(), m.speedup(),
                m.passed() ? "agree" : "DISAGREE", m.maxRelativeError()));
        double gbs = BandwidthProbe.readGbPerSecond(bytes, workers, 3);
        line("Read bandwidth", String.format(Locale.ROOT, "%.1f GB/s (%d MiB off-heap, %d threads): decode of 1 GB of weights is bound "
                + "to %.1f tokens/s", gbs, bytes >> 20, workers, gbs));
        if (!m.passed()) {
            System.out.println("FAILED: the Vector API matmul disagrees with the scalar one");
            return 1;
        }
        System.out.println(intrinsified ? "OK" : "WARNING: the Vector API is not intrinsified; Pagoda will be slow");
        return 0;
    }

    private static void line(String label, String value) {
        System.out.printf("%-15s %s%n", label, value);
    }
}
