package dev.pagoda.cli.latency;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/** Peak resident memory of this process (Linux VmHWM, resettable through clear_refs) and peak Java heap use. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /** Starts a new peak window: resets VmHWM (Linux ≥ 4.0) and the heap pools' peaks. Returns whether VmHWM could be reset. */
    public static boolean resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) if (pool.getType() == MemoryType.HEAP) pool.resetPeakUsage();
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** Peak resident set size in bytes since the last reset (or process start); -1 when unknown. */
    public static long peakRss() {
        return status("VmHWM:");
    }

    public static long rss() {
        return status("VmRSS:");
    }

    /** Sum of the heap pools' peak use since the last reset. */
    public static long peakHeap() {
        long n = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) if (pool.getType() == MemoryType.HEAP) n += pool.getPeakUsage().getUsed();
        return n;
    }

    private static long status(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux
        }
        return -1;
    }
}
