package dev.pagoda.cli;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class InfoCommandTest {
    @Test
    void reportsTheEnvironmentAndPassesTheSelfTest() {
        CliTestSupport.Result r = CliTestSupport.run("info", "--matmul-size", "200", "--bandwidth-buffer", "32MiB", "--threads", "1");
        assertEquals(0, r.exitCode(), r.out() + r.err());
        for (String label : new String[]{"CPU ", "Memory ", "JDK ", "JVM flags ", "Vector API ", "Self-test ", "Read bandwidth "}) {
            assertTrue(r.out().contains("\n" + label) || r.out().startsWith(label), label + " in\n" + r.out());
        }
        assertTrue(r.out().matches("(?s).*preferred species \\d+ bits.*"), r.out());
        assertTrue(r.out().matches("(?s).*200×200 matmul, 1 thread: Vector API [0-9.]+ GFLOP/s, scalar [0-9.]+ GFLOP/s, speed-up [0-9.]+x; results agree.*"), r.out());
        assertTrue(r.out().matches("(?s).*Read bandwidth +[0-9.]+ GB/s \\(32 MiB off-heap, 1 threads\\).*"), r.out());
    }

    @Test
    void withoutTheVectorModuleItExitsNonZeroNamingTheFlags() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "dev.pagoda.cli.Main", "info");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), output);
        assertTrue(output.contains("Vector API      MISSING"), output);
        assertTrue(output.contains("--add-modules jdk.incubator.vector"), output);
        assertTrue(output.contains("CPU "), "what can be reported without it still is: " + output);
    }
}
