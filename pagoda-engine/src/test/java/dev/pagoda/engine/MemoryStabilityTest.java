package dev.pagoda.engine;

import dev.pagoda.testutil.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With a fixed heap and after 100 warm-up requests, the process RSS grows by less than 32 MiB over
 * the next 1,000 requests, and every KV block is free again at the end.
 */
@EnabledOnOs(OS.LINUX)
class MemoryStabilityTest {
    @Test
    void rssStaysFlatOverAThousandRequests() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xms96m", "-Xmx96m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(),
                Shared.path("models/stories260K/stories260K.gguf").toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), output);
        String last = output.strip().lines().reduce((a, b) -> b).orElse("");
        Map<String, Long> figures = new HashMap<>();
        for (String kv : last.split(" ")) {
            String[] parts = kv.split("=");
            figures.put(parts[0], Long.parseLong(parts[1]));
        }
        long growth = figures.get("rss_after") - figures.get("rss_before");
        System.out.printf("RSS %.1f MiB -> %.1f MiB (+%.1f MiB) over 1,000 requests%n", figures.get("rss_before") / 1048576.0,
                figures.get("rss_after") / 1048576.0, growth / 1048576.0);
        assertTrue(growth < 32L << 20, "RSS grew by " + growth + " bytes: " + last);
        assertEquals(figures.get("total_blocks"), figures.get("free_blocks"));
    }
}
