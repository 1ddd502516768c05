package dev.pagoda.cache;

import dev.pagoda.Log;
import dev.pagoda.PagodaException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many KV blocks to allocate. With {@code --kv-cache-memory} that many bytes; else
 * {@code --gpu-memory-utilization} × the memory this process may use, minus the mapped weights,
 * the workspace, the JVM heap limit and a 1 GiB reserve — but never more than
 * {@code maxNumSeqs} sequences of {@code maxModelLen} tokens can use. Fails when one
 * max-model-len sequence does not fit, with the figures and what to change.
 */
public record KvCachePlan(int numBlocks, int blockSize, long bytesPerToken) {
    private static final long RESERVE = 1L << 30;

    public static KvCachePlan plan(long bytesPerToken, int blockSize, int maxModelLen, int maxNumSeqs, Long kvCacheMemory,
                                   double utilization, Integer blocksOverride, long weightBytes, long workspaceBytes) {
        return plan(bytesPerToken, blockSize, maxModelLen, maxNumSeqs, kvCacheMemory, utilization, blocksOverride, weightBytes,
                workspaceBytes, usableMemory());
    }

    /** As above, with the memory this process may use given (what {@link #usableMemory()} read). */
    public static KvCachePlan plan(long bytesPerToken, int blockSize, int maxModelLen, int maxNumSeqs, Long kvCacheMemory,
                                   double utilization, Integer blocksOverride, long weightBytes, long workspaceBytes,
                                   long usableMemory) {
        long blockBytes = bytesPerToken * blockSize;
        int blocksPerSeq = (maxModelLen + blockSize - 1) / blockSize;
        int blocks;
        String source;
        if (blocksOverride != null) {
            blocks = blocksOverride;
            source = "--num-gpu-blocks-override";
        } else if (kvCacheMemory != null) {
            blocks = (int) Math.min(Integer.MAX_VALUE, kvCacheMemory / blockBytes);
            source = "--kv-cache-memory";
        } else {
            long usable = (long) (utilization * usableMemory) - weightBytes - workspaceBytes
                    - Runtime.getRuntime().maxMemory() - RESERVE;
            if (usable <= 0) {
                throw new PagodaException(String.format("no memory left for the KV cache: %.2f GiB usable × %.2f utilization "
                                + "leaves nothing after weights (%.2f GiB), workspace, heap (%.2f GiB) and a 1 GiB reserve; "
                                + "increase --gpu-memory-utilization or set --kv-cache-memory",
                        usableMemory / GIB, utilization, weightBytes / GIB, Runtime.getRuntime().maxMemory() / GIB));
            }
            long wanted = (long) blocksPerSeq * maxNumSeqs;
            blocks = (int) Math.min(Math.min(usable / blockBytes, wanted), Integer.MAX_VALUE);
            source = "--gpu-memory-utilization";
        }
        if (blocks < blocksPerSeq) {
            long fitTokens = (long) blocks * blockSize;
            throw new PagodaException(String.format(
                    "to serve one request of the max-model-len (%d tokens), %.3f GiB of KV cache is needed, more than the "
                            + "%.3f GiB available (%s); the largest max-model-len that fits is %d: lower --max-model-len "
                            + "or give the cache more memory (--kv-cache-memory, --gpu-memory-utilization)",
                    maxModelLen, blocksPerSeq * blockBytes / GIB, blocks * (double) blockBytes / GIB, source, fitTokens));
        }
        KvCachePlan plan = new KvCachePlan(blocks, blockSize, bytesPerToken);
        Log.info(String.format("KV cache: %d blocks of %d tokens = %,d tokens, %.3f GiB; maximum concurrency for %d tokens "
                        + "per request: %.2fx", blocks, blockSize, (long) blocks * blockSize, plan.bytes() / GIB, maxModelLen,
                (double) blocks / blocksPerSeq));
        return plan;
    }

    public long bytes() {
        return (long) numBlocks * blockSize * bytesPerToken;
    }

    private static final double GIB = 1 << 30;

    /** MemAvailable, or the cgroup v2 memory limit when that is lower. */
    public static long usableMemory() {
        long available = Long.MAX_VALUE;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) available = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        } catch (IOException | NumberFormatException ignored) {
            // not Linux: fall back to the JVM's view below
        }
        try {
            String limit = Files.readString(Path.of("/sys/fs/cgroup/memory.max")).trim();
            if (!limit.equals("max")) available = Math.min(available, Long.parseLong(limit));
        } catch (IOException | NumberFormatException ignored) {
            // no cgroup v2 limit
        }
        if (available == Long.MAX_VALUE) {
            available = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getFreeMemorySize();
        }
        return available;
    }
}
