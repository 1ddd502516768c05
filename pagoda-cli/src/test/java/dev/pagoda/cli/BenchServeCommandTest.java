package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bench serve against a scripted loopback SSE stub: first token after 200 ms, then one every 20 ms.
 * TPOT, ITL and E2E − TTFT agree within 5 ms; TTFT and E2E within 10 ms (they include the request's
 * trip into the stub, which the script's clock does not see).
 */
class BenchServeCommandTest {
    static final int TOKENS = 10;

    private static HttpServer stub() throws Exception {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // no Nagle delays in the stub's timing
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/models", ex -> {
            byte[] b = "{\"object\":\"list\",\"data\":[{\"id\":\"stub\",\"object\":\"model\"}]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/v1/completions", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                long start = System.nanoTime();
                for (int i = 0; i < TOKENS; i++) {
                    long due = start + (200 + 20L * i) * 1_000_000;
                    while (System.nanoTime() < due) Thread.sleep(Math.max(0, (due - System.nanoTime()) / 1_000_000), 0);
                    send(out, "{\"choices\":[{\"index\":0,\"text\":\"t" + i + "\"}]}");
                }
                send(out, "{\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":" + TOKENS + ",\"total_tokens\":18}}");
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        return server;
    }

    private static void send(OutputStream out, String json) throws java.io.IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    void metricsMatchTheScriptWithin5Ms() throws Exception {
        HttpServer server = stub();
        Path result = Files.createTempFile("bench", ".json");
        try {
            String[] args = {"bench", "serve", "--base-url", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "--input-len", "8", "--output-len", String.valueOf(TOKENS), "--num-prompts", "8", "--max-concurrency", "1",
                    "--result-file", result.toString()};
            // The first run warms this cold test JVM (client, stub and JIT); the second is the measurement.
            assertEquals(0, Main.run(args));
            assertEquals(0, Main.run(args));
            JsonNode r = new ObjectMapper().readTree(Files.readString(result));
            assertEquals(8, r.get("completed").asInt());
            assertEquals(0, r.get("failed").asInt());
            assertEquals(8L * TOKENS, r.get("total_output_tokens").asLong());
            assertEquals("stub", r.get("model_id").asText());
            for (String stat : new String[]{"mean", "median"}) {
                // TTFT and E2E also hold the request's trip to the stub's handler: 5-7 ms on a busy 2-core machine.
                assertEquals(200, r.get(stat + "_ttft_ms").asDouble(), 10, stat + " TTFT");
                assertEquals(20, r.get(stat + "_tpot_ms").asDouble(), 5, stat + " TPOT");
                assertEquals(20, r.get(stat + "_itl_ms").asDouble(), 5, stat + " ITL");
                assertEquals(200 + 20 * (TOKENS - 1), r.get(stat + "_e2el_ms").asDouble(), 10, stat + " E2EL");
                assertEquals(20 * (TOKENS - 1), r.get(stat + "_e2el_ms").asDouble() - r.get(stat + "_ttft_ms").asDouble(), 5, stat + " E2EL - TTFT");
            }
            assertEquals(8 * (TOKENS - 1), countItls(r));
            for (String key : new String[]{"duration", "request_throughput", "output_throughput", "total_token_throughput",
                    "p99_ttft_ms", "std_itl_ms", "input_lens", "output_lens", "ttfts", "generated_texts", "errors", "max_concurrency"}) {
                assertTrue(r.has(key), key);
            }
        } finally {
            server.stop(0);
        }
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
