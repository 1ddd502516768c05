package dev.pagoda.server;

import dev.pagoda.engine.EngineStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** Concurrent streams share engine steps; clients that drop mid-stream free their requests. */
class ConcurrencyTest {
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.bundled();
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    private static HttpRequest streamRequest(int maxTokens, int i) {
        String body = "{\"prompt\":\"Once upon a time " + i + "\",\"max_tokens\":" + maxTokens
                + ",\"temperature\":0.8,\"seed\":" + i + ",\"ignore_eos\":true,\"stream\":true}";
        return HttpRequest.newBuilder(URI.create(s.base + "/v1/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    void thirtyTwoConcurrentStreamsShareSteps() throws Exception {
        int[] maxSeqs = {0};
        AtomicInteger done = new AtomicInteger();
        Thread watcher = Thread.ofPlatform().start(() -> {
            while (done.get() < 32) {
                EngineStats st = s.model.engine().stats();
                maxSeqs[0] = Math.max(maxSeqs[0], st.lastStepSequences());
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        });
        List<Thread> clients = new ArrayList<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 32; i++) {
            int id = i;
            clients.add(Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<String> r = s.http.send(streamRequest(100, id), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200 || !r.body().endsWith("data: [DONE]\n\n")) failures.add(r.statusCode() + " " + r.body());
                } catch (Exception e) {
                    failures.add(e.toString());
                } finally {
                    done.incrementAndGet();
                }
            }));
        }
        for (Thread t : clients) t.join(120_000);
        watcher.join(5_000);
        assertEquals(List.of(), failures);
        assertTrue(maxSeqs[0] >= 16, "largest step had " + maxSeqs[0] + " sequences");
    }

    @Test
    void clientsThatDropMidStreamAreAbortedAndTheirBlocksFreed() throws Exception {
        double idleKv = s.metric("vllm:kv_cache_usage_perc");
        double aborts = abortCount();
        int clients = 20;
        CountDownLatch reading = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        List<InputStream> bodies = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < clients; i++) {
            int id = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    HttpResponse<InputStream> r = s.http.send(streamRequest(1500, id), HttpResponse.BodyHandlers.ofInputStream());
                    InputStream in = r.body();
                    in.readNBytes(64); // the stream has started
                    bodies.add(in);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                } finally {
                    reading.countDown();
                }
            }));
        }
        assertTrue(reading.await(60, TimeUnit.SECONDS));
        assertEquals(clients, bodies.size());
        assertTrue(s.metric("vllm:num_requests_running") > 0, "the requests are running");
        for (InputStream in : bodies) in.close(); // drop the connections mid-stream
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && (s.metric("vllm:num_requests_running") > 0 || s.metric("vllm:kv_cache_usage_perc") > idleKv)) {
            Thread.sleep(20);
        }
        assertEquals(0.0, s.metric("vllm:num_requests_running"));
        assertEquals(0.0, s.metric("vllm:num_requests_waiting"));
        assertEquals(idleKv, s.metric("vllm:kv_cache_usage_perc"));
        while (System.nanoTime() < deadline && abortCount() < aborts + clients) Thread.sleep(20);
        assertEquals(aborts + clients, abortCount(), "each dropped stream is counted as aborted");
        assertEquals(200, s.post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2}").status());
    }

    private static double abortCount() {
        for (String line : s.get("/metrics").body().split("\n")) {
            if (line.startsWith("vllm:request_success_total{finished_reason=\"abort\"")) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        return 0;
    }
}
