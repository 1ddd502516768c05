package dev.pagoda.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.*;

/** --max-num-queued-reqs bounds the waiting requests: beyond it, 503 with Retry-After. */
class AdmissionTest {
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.bundled(c -> c.withMaxNumQueuedReqs(1), a -> a.maxNumSeqs = 1);
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    private static HttpResponse<InputStream> open(int i) throws Exception {
        String body = "{\"prompt\":\"Once " + i + "\",\"max_tokens\":1500,\"ignore_eos\":true,\"stream\":true}";
        return s.http.send(HttpRequest.newBuilder(URI.create(s.base + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        HttpResponse<InputStream> running = open(1);
        running.body().readNBytes(16); // running: the only sequence slot is taken
        HttpResponse<InputStream> waiting = open(2);
 // waits in the queue (headers are sent at once)
        assertEquals(200, waiting.statusCode());
        long deadline = System.currentTimeMillis() + 10_000;
        while (s.model.engine().stats().waiting() < 1 && System.currentTimeMillis() < deadline) Thread.sleep(5);
        assertEquals(1, s.model.engine().stats().waiting());
        TestServer.Reply refused = s.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}");
        assertEquals(503, refused.status(), refused.body());
        assertEquals("ServiceUnavailableError", refused.json().get("error").get("type").asText());
        assertTrue(refused.raw().headers().firstValue("Retry-After").isPresent());
        running.body().close();
        waiting.body().close();
        deadline = System.currentTimeMillis() + 20_000;
        int status = 0;
        while (status != 200 && System.currentTimeMillis() < deadline) {
            status = s.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":2}").status();
            if (status != 200) Thread.sleep(20);
        }
        assertEquals(200, status, "admitted again once the queue drained");
    }
}
