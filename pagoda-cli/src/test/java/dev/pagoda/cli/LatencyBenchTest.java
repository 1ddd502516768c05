package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** All six default scenarios on the bundled model, in a short configuration (CI). */
class LatencyBenchTest {
    @Test
    void sixScenariosWriteReportJsonAndChart() throws Exception {
        Path dir = Files.createTempDirectory("latency");
        CliTestSupport.Result r = CliTestSupport.run("bench", "latency", "--warmup", "1", "--runs", "2", "--max-output-tokens", "6",
                "--kv-cache-memory", "16MiB", "--output-dir", dir.toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.err().contains("batch_8        runs: 3/3 ["), "progress bar: " + r.err());

        JsonNode j = new ObjectMapper().readTree(dir.resolve("latency.json").toFile());
        assertEquals(6, j.get("scenarios").size());
        String[] names = {"ttft_short", "ttft_long", "decode_long", "batch_4", "batch_8", "long_context"};
        int[] batches = {1, 1, 1, 4, 8, 1};
        for (int i = 0; i < 6; i++) {
            JsonNode s = j.get("scenarios").get(i);
            assertEquals(names[i], s.get("name").asText());
            assertEquals(6, s.get("output_tokens").asInt());
            assertEquals(1, s.get("warmup").size());
            assertEquals(2, s.get("runs").size());
            for (JsonNode run : s.get("runs")) {
                assertEquals(batches[i], run.get("ttft_s").size());
                for (int k = 0; k < batches[i]; k++) {
                    double ttft = run.get("ttft_s").get(k).asDouble(), latency = run.get("latency_s").get(k).asDouble();
                    assertTrue(ttft > 0 && latency > ttft, s.toString());
                    assertEquals((latency - ttft) / 5, run.get("tpot_s").get(k).asDouble(), 1e-12); // TPOT = (latency − TTFT) / (6 − 1)
                }
                assertTrue(run.get("peak_heap_bytes").asLong() > 0);
            }
        }
        assertTrue(j.get("scenarios").get(5).get("input_tokens").asInt() > j.get("scenarios").get(0).get("input_tokens").asInt());

        String report = Files.readString(dir.resolve("report.md"));
        for (String heading : new String[]{"## Environment", "## Model", "## Results", "## Analysis", "## Chart"}) assertTrue(report.contains(heading), heading);
        assertEquals(6, report.lines().filter(l -> l.matches("\\| (TTFT|decode|batch|long).*\\| \\d+ MiB \\| \\d+ MiB \\|")).count(), report);
        assertTrue(report.contains("**TTFT vs input length:**") && report.contains("**Batch scaling, batch_8:**"), report);
        assertTrue(report.contains("| load time | "), report);

        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("latency.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getNodeName());
        assertEquals(1 + 3 * 6, svg.getElementsByTagName("rect").getLength()); // background + a bar per scenario in 3 panels
    }
}
