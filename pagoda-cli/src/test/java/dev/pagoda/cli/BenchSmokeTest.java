package dev.pagoda.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A quick run of each bench command on the bundled model, so CI notices when one breaks. */
class BenchSmokeTest {
    @Test
    void throughput() {
        CliTestSupport.Result r = CliTestSupport.run("bench", "throughput", "--prompt-len", "8", "--gen-len", "4",
                "--concurrency", "1,2", "--runs", "1", "--warmup", "0", "--kv-cache-memory", "4MiB");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s).*pp8 +[0-9.]+ .*\\ntg4 +[0-9.]+ .*\\nc2 tg4 +[0-9.]+ .*"), r.out());
        // one measured run of 4 tokens: the first from the prefill, then 3 decode steps
        assertTrue(r.out().matches("(?s).*\\n +median time per output token [0-9.]+ ms \\([0-9.]+ t/s\\) over the 3 decode steps of the measured runs\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*bounds: probes [0-9.]+ GB/s read, [0-9.]+ GFLOP/s F32 FMA peak.*"
                + "\\ntg4 +[0-9.]+ t/s = +[0-9.]+ GB/s = +[0-9]+% of the read bound.*"
                + "\\n +median step [0-9.]+ t/s = +[0-9.]+ GB/s = +[0-9]+% of the read bound.*"
                + "\\n +[0-9]+% of the better read probe taken just before and after each run \\(median of 1; [0-9]+%\\).*"
                + "\\nc2 tg4 +[0-9.]+ t/s = +[0-9.]+ GFLOP/s = +[0-9]+% of the FMA peak.*"), r.out());
    }

    @Test
    void kernels() {
        CliTestSupport.Result r = CliTestSupport.run("bench", "kernels", "--formats", "BF16", "--rows", "256", "--cols", "256",
                "--batch", "8", "--runs", "1");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s).*probe read bandwidth +[0-9.]+ GB/s.*probe F32 FMA peak +[0-9.]+ GFLOP/s.*"
                + "\\nBF16 +[0-9.]+ +[0-9]+% +[0-9.]+ +[0-9]+%.*"), r.out());
    }

    @Test
    void prefixCache() {
        CliTestSupport.Result r = CliTestSupport.run("bench", "prefix-cache", "--prefix-len", "32", "--suffix-len", "4",
                "--requests", "3", "--block-size", "16", "--kv-cache-memory", "4MiB");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("prefix caching on  sequential") && r.out().contains("(prefix cache hits 64 of"), r.out());
        assertTrue(r.out().contains("lower TTFT with prefix caching"), r.out());
    }

    @Test
    void guided() {
        CliTestSupport.Result r = CliTestSupport.run("bench", "guided", "--batch", "2", "--runs", "1", "--kv-cache-memory", "4MiB");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s)schema compiled in [0-9.]+ ms.*batch of 2: guided_json [0-9.]+ tokens/s, unconstrained [0-9.]+ tokens/s.*"), r.out());
    }
}
