package dev.pagoda.cli.info;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What this machine and JVM are, read from /proc, /sys and the JVM's management beans (no Vector API needed). */
public final class SystemInfo {
    private SystemInfo() {
    }

    /** "model name" of /proc/cpuinfo (or the JVM's os.arch when there is none). */
    public static String cpuModel() {
        return cpuinfo("model name").orElse(System.getProperty("os.arch"));
    }

    /** Physical cores, counted as distinct (physical id, core id) pairs; 0 when /proc/cpuinfo does not say. */
    public static int physicalCores() {
        Set<String> cores = new LinkedHashSet<>();
        String physical = "0";
        for (String line : lines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("physical id")) physical = value(line);
            if (line.startsWith("core id")) cores.add(physical + ":" + value(line));
        }
        return cores.size();
    }

    /** The SIMD extensions the CPU reports (x86 avx*, fma; aarch64 asimd, sve*). */
    public static List<String> simdFlags() {
        String flags = cpuinfo("flags").or(() -> cpuinfo("Features")).orElse("");
        return java.util.Arrays.stream(flags.split("\\s+"))
                .filter(f -> f.startsWith("avx") || f.equals("fma") || f.equals("asimd") || f.startsWith("sve") || f.startsWith("amx"))
                .toList();
    }

    /** A /proc/meminfo figure in bytes (MemTotal, MemAvailable), or -1. */
    public static long meminfo(String key) {
        for (String line : lines(Path.of("/proc/meminfo"))) {
            if (line.startsWith(key + ":")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
        return -1;
    }

    /** The cgroup v2 memory limit in bytes, or -1 when there is none. */
    public static long cgroupLimit() {
        try {
            String limit = Files.readString(Path.of("/sys/fs/cgroup/memory.max")).trim();
            return limit.equals("max") ? -1 : Long.parseLong(limit);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** A HotSpot flag's value, or null when this JVM does not have it. */
    public static String vmOption(String name) {
        try {
            return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Whether the C2 compiler, which turns Vector API calls into SIMD instructions, will run: not
     * {@code -Xint}, not limited to C1 ({@code -XX:TieredStopAtLevel} below 4), compilers on.
     */
    public static boolean c2Available() {
        String info = System.getProperty("java.vm.info", "");
        if (info.contains("interpreted") || info.contains("emulated-client")) return false;
        if ("false".equals(vmOption("UseCompiler"))) return false;
        String stop = vmOption("TieredStopAtLevel");
        return !"true".equals(vmOption("TieredCompilation")) || stop == null || Integer.parseInt(stop) >= 4;
    }

    public static List<String> jvmFlags() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments();
    }

    private static Optional<String> cpuinfo(String key) {
        return lines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith(key)).map(SystemInfo::value).findFirst();
    }

    private static String value(String line) {
        int colon = line.indexOf(':');
        return colon < 0 ? "" : line.substring(colon + 1).trim();
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            return List.of();
        }
    }
}
