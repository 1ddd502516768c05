package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** /v1/completions, /generate, /tokenize, /detokenize, /v1/models, /version, /metrics on the bundled model. */
class CompletionsEndpointTest {
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.bundled();
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    static ObjectNode body(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Concatenated text per choice index of a completions stream, and the usage chunk if any. */
    static String streamedText(List<String> events, int index) {
        assertEquals("[DONE]", events.getLast());
        StringBuilder sb = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = Json.MAPPER.valueToTree(parse(e));
            for (JsonNode c : chunk.get("choices")) if (c.get("index").asInt() == index) sb.append(c.get("text").asText());
        }
        return sb.toString();
    }

    static JsonNode parse(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(s, e);
        }
    }

    @Test
    void completionAndItsStreamAgreeUnderGreedy() {
        ObjectNode req = body("{\"prompt\":\"Once upon a time\",\"max_tokens\":48,\"temperature\":0}");
        TestServer.Reply r = s.post("/v1/completions", req);
        assertEquals(200, r.status(), r.body());
        JsonNode j = r.json();
        assertEquals("text_completion", j.get("object").asText());
        assertTrue(j.get("id").asText().startsWith("cmpl-"));
        JsonNode choice = j.get("choices").get(0);
        String text = choice.get("text").asText();
        assertFalse(text.isEmpty());
        assertEquals(5, j.get("usage").get("prompt_tokens").asInt());
        int completion = j.get("usage").get("completion_tokens").asInt();
        assertEquals(completion + 5, j.get("usage").get("total_tokens").asInt());
        if (choice.get("finish_reason").asText().equals("length")) assertEquals(48, completion);

        req.put("stream", true);
        req.putObject("stream_options").put("include_usage", true);
        List<String> events = s.stream("/v1/completions", req);
        assertEquals(text, streamedText(events, 0));
        JsonNode usage = parse(events.get(events.size() - 2));
        assertEquals(0, usage.get("choices").size());
        assertEquals(completion, usage.get("usage").get("completion_tokens").asInt());
        JsonNode last = parse(events.get(events.size() - 3)).get("choices").get(0);
        assertEquals(choice.get("finish_reason").asText(), last.get("finish_reason").asText());
    }

    @Test
    void stopStringsThatSpanTokensCutTheOutputAndStreamsNeverLeakThem() {
        String full = s.post("/v1/completions", body("{\"prompt\":\"Once upon a time\",\"max_tokens\":40,\"temperature\":0,\"ignore_eos\":true}"))
                .json().get("choices").get(0).get("text").asText();
        // A stop string that starts inside one token and ends inside another.
        int at = full.indexOf("little");
        assertTrue(at > 0, full);
        String stop = full.substring(at + 2, at + 9); // "ttle gi": crosses "little" and " girl"
        ObjectNode req = body("{\"prompt\":\"Once upon a time\",\"max_tokens\":40,\"temperature\":0,\"ignore_eos\":true}");
        req.putArray("stop").add("never appears").add(stop);
        JsonNode j = s.post("/v1/completions", req).json();
        JsonNode c = j.get("choices").get(0);
        assertEquals(full.substring(0, at + 2), c.get("text").asText());
        assertEquals("stop", c.get("finish_reason").asText());
        assertEquals(stop, c.get("stop_reason").asText());
        int tokensToStop = j.get("usage").get("completion_tokens").asInt();
        assertTrue(tokensToStop < 40, "generation stopped at the stop string: " + tokensToStop);

        req.put("stream", true);
        List<String> events = s.stream("/v1/completions", req);
        assertEquals(full.substring(0, at + 2), streamedText(events, 0));
        // Equal concatenation also proves no held-back piece of the stop string was ever sent.
        req.put("stream", false);
        req.put("include_stop_str_in_output", true);
        assertEquals(full.substring(0, at + 9), s.post("/v1/completions", req).json().get("choices").get(0).get("text").asText());
    }

    @Test
    void severalPromptsTokenPromptsEchoAndN() {
        ObjectNode req = body("{\"prompt\":[\"Once upon a time\",\"The cat\"],\"max_tokens\":8,\"temperature\":0.8,\"seed\":7,\"n\":2}");
        JsonNode j = s.post("/v1/completions", req).json();
        assertEquals(4, j.get("choices").size());
        for (int i = 0; i < 4; i++) assertEquals(i, j.get("choices").get(i).get("index").asInt());
        assertEquals(j, withoutVolatile(s.post("/v1/completions", req).json(), j), "same seed, same output");

        int[] ids = s.model.tokenizer().encode("Once upon a time", true);
        ObjectNode byIds = body("{\"max_tokens\":8,\"temperature\":0}");
        var arr = byIds.putArray("prompt");
        for (int id : ids) arr.add(id);
        ObjectNode byText = body("{\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"temperature\":0,\"echo\":true}");
        String echoed = s.post("/v1/completions", byText).json().get("choices").get(0).get("text").asText();
        String fromIds = s.post("/v1/completions", byIds).json().get("choices").get(0).get("text").asText();
        assertEquals("Once upon a time" + fromIds, echoed);
    }

    private static JsonNode withoutVolatile(JsonNode a, JsonNode b) {
        ObjectNode copy = a.deepCopy();
        copy.set("id", b.get("id"));
        copy.set("created", b.get("created"));
        return copy;
    }

    @Test
    void logprobsAreTheEnginesTopN() {
        JsonNode j = s.post("/v1/completions", body("{\"prompt\":\"Once upon a time\",\"max_tokens\":4,\"temperature\":0,\"logprobs\":3}")).json();
        JsonNode lp = j.get("choices").get(0).get("logprobs");
        assertEquals(4, lp.get("tokens").size());
        assertEquals(4, lp.get("top_logprobs").size());
        for (int i = 0; i < 4; i++) {
            JsonNode top = lp.get("top_logprobs").get(i);
            assertEquals(3, top.size());
            double chosen = lp.get("token_logprobs").get(i).asDouble();
            assertTrue(chosen <= 0);
            // Greedy: the chosen token is the most likely one.
            double best = Double.NEGATIVE_INFINITY;
            for (JsonNode v : top) best = Math.max(best, v.asDouble());
            assertEquals(best, chosen, 1e-6);
        }
        assertEquals(0, lp.get("text_offset").get(0).asInt());
    }

    @Test
    void nativeGenerateReturnsPromptPlusOutputAndStreamsCumulativeLines() throws Exception {
        String full = s.post("/v1/completions", body("{\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0}"))
                .json().get("choices").get(0).get("text").asText();
        TestServer.Reply r = s.post("/generate", "{\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0}");
        assertEquals(200, r.status(), r.body());
        assertEquals("Once upon a time" + full, r.json().get("text").get(0).asText());
        TestServer.Reply st = s.post("/generate", "{\"prompt\":\"Once upon a time\",\"max_tokens\":12,\"temperature\":0,\"stream\":true}");
        String[] lines = st.body().split("\n");
        String previous = "";
        for (String line : lines) {
            String t = parse(line).get("text").get(0).asText();
            assertTrue(t.startsWith(previous), "cumulative");
            previous = t;
        }
        assertEquals("Once upon a time" + full, previous);
    }

    @Test
    void tokenizeDetokenizeModelsVersion() {
        JsonNode t = s.post("/tokenize", "{\"prompt\":\"Once upon a time\"}").json();
        assertEquals(5, t.get("count").asInt());
        assertEquals(s.model.maxModelLen(), t.get("max_model_len").asInt());
        JsonNode d = s.post("/detokenize", "{\"tokens\":" + t.get("tokens") + "}").json();
        assertTrue(d.get("prompt").asText().endsWith("Once upon a time"), d.toString());
        JsonNode models = s.get("/v1/models").json();
        assertEquals(s.model.name(), models.get("data").get(0).get("id").asText());
        assertEquals("model", models.get("data").get(0).get("object").asText());
        assertEquals(Server.VERSION, s.get("/version").json().get("version").asText());
        assertEquals(200, s.get("/health").status());
    }

    @Test
    void chatWithoutATemplateIsVllms400() {
        TestServer.Reply r = s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, r.status());
        assertTrue(r.json().get("error").get("message").asText().contains("chat template"));
    }

    @Test
    void metricsUseVllmNamesAndCount() throws InterruptedException {
        double before = settledGenerationTokens();
        double success = s.metric("vllm:request_success_total");
        s.post("/v1/completions", body("{\"prompt\":\"Once upon a time\",\"max_tokens\":10,\"temperature\":0,\"ignore_eos\":true}"));
        String text = s.get("/metrics").body();
        for (String name : List.of("vllm:num_requests_running{", "vllm:num_requests_waiting{", "vllm:kv_cache_usage_perc{",
                "vllm:prompt_tokens_total{", "vllm:generation_tokens_total{", "vllm:request_success_total{",
                "vllm:time_to_first_token_seconds_bucket{", "vllm:inter_token_latency_seconds_bucket{",
                "vllm:e2e_request_latency_seconds_bucket{", "vllm:request_queue_time_seconds_bucket{",
                "vllm:prefix_cache_queries_total{", "vllm:prefix_cache_hits_total{")) {
            assertTrue(text.contains("\n" + name), "missing " + name);
        }
        assertTrue(text.contains("model_name=\"" + s.model.name() + "\""));
        assertEquals(before + 10, s.metric("vllm:generation_tokens_total"), 1e-9);
        assertTrue(s.metric("vllm:request_success_total") >= success);
    }

    /**
     * The generation-token count once no request of an earlier test is still running (a client
     * that went away leaves its request running until the abort is applied), so that only this
     * test's tokens land inside its before/after window.
     */
    private double settledGenerationTokens() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        double last = s.metric("vllm:generation_tokens_total");
        while (System.nanoTime() < deadline) {
            Thread.sleep(100);
            double now = s.metric("vllm:generation_tokens_total");
            if (now == last && s.metric("vllm:num_requests_running") == 0) return now;
            last = now;
        }
        throw new AssertionError("generation token count still moving after 5 s");
    }
}
