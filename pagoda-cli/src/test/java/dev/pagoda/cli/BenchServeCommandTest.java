package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bench serve against a scripted loopback SSE stub: first token after 200 ms, then one every 20 ms.
 * TTFT, TPOT, ITL and E2E (mean and median) agree within 5 ms with the times at which the stub
 * actually sent each token.
 */
class BenchServeCommandTest {
    static final int TOKENS = 10;

    @Test
    void metricsMatchTheScriptWithin5Ms() throws Exception {
        Path result = Files.createTempFile("bench", ".json");
        try (SseStub server = new SseStub(200, 20, TOKENS)) {
            String[] args = {"bench", "serve", "--base-url", "http://127.0.0.1:" + server.port(),
                    "--input-len", "8", "--output-len", String.valueOf(TOKENS), "--num-prompts", "8", "--max-concurrency", "1",
                    "--result-file", result.toString()};
            // The first run warms this cold test JVM (client, stub and JIT); the second is the measurement.
            assertEquals(0, Main.run(args));
            server.timelines.clear();
            assertEquals(0, Main.run(args));
            JsonNode r = new ObjectMapper().readTree(Files.readString(result));
            assertEquals(8, r.get("completed").asInt());
            assertEquals(0, r.get("failed").asInt());
            assertEquals(8L * TOKENS, r.get("total_output_tokens").asLong());
            assertEquals("stub", r.get("model_id").asText());
            // What the stub did, request by request (the 8 measured ones plus the uncounted test request).
            List<long[]> done = server.timelines.subList(server.timelines.size() - 8, server.timelines.size());
            double[] ttft = done.stream().mapToDouble(t -> (t[1] - t[0]) / 1e6).toArray();
            double[] e2e = done.stream().mapToDouble(t -> (t[TOKENS + 1] - t[0]) / 1e6).toArray();
            double[] tpot = done.stream().mapToDouble(t -> (t[TOKENS + 1] - t[1]) / 1e6 / (TOKENS - 1)).toArray();
            double[] itl = done.stream().flatMapToDouble(t -> java.util.stream.IntStream.range(1, TOKENS)
                    .mapToDouble(k -> (t[k + 1] - t[k]) / 1e6)).toArray();
            Map<String, double[]> actual = Map.of("ttft", ttft, "e2el", e2e, "tpot", tpot, "itl", itl);
            actual.forEach((metric, values) -> {
                assertEquals(mean(values), r.get("mean_" + metric + "_ms").asDouble(), 5, "mean " + metric);
                assertEquals(median(values), r.get("median_" + metric + "_ms").asDouble(), 5, "median " + metric);
            });
            // and the stub kept to its script closely enough for the figures above to mean it
            assertEquals(200, mean(ttft), 50, "the stub's own TTFT");
            assertEquals(20, mean(itl), 10, "the stub's own ITL");
            assertEquals(8 * (TOKENS - 1), countItls(r));
            for (String key : new String[]{"duration", "request_throughput", "output_throughput", "total_token_throughput",
                    "p99_ttft_ms", "std_itl_ms", "input_lens", "output_lens", "ttfts", "generated_texts", "errors", "max_concurrency"}) {
                assertTrue(r.has(key), key);
            }
        }
    }

    static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElseThrow();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static int countItls(JsonNode r) {
        int n = 0;
        for (JsonNode gaps : r.get("itls")) n += gaps.size();
        return n;
    }

    @Test
    void percentileIsNumpysLinearOne() {
        assertEquals(2.5, BenchMetrics.percentile(new double[]{1, 2, 3, 4}, 50), 1e-12);
        assertEquals(3.97, BenchMetrics.percentile(new double[]{1, 2, 3, 4}, 99), 1e-12);
    }
}
