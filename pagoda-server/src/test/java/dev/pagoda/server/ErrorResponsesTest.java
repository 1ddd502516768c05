package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;

import static org.junit.jupiter.api.Assertions.*;

/** Every malformed-input class gets its status and OpenAI error body, and the next valid request succeeds. */
class ErrorResponsesTest {
    static final String KEY = "sk-test-123";
    static final String VALID = "{\"prompt\":\"Once upon a time\",\"max_tokens\":4,\"temperature\":0}";
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.bundled(c -> c.withApiKey(KEY).withMaxBodyBytes(64 * 1024), a -> a.maxModelLen = 256).withKey(KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    /** Posts {@code body}, checks the error, then checks that a valid request still works. */
    private static JsonNode refused(String path, String body, int status, String type, String messagePart, String param) {
        TestServer.Reply r = s.post(path, body);
        assertEquals(status, r.status(), r.body());
        JsonNode e = r.json().get("error");
        assertNotNull(e, r.body());
        assertEquals(type, e.get("type").asText(), r.body());
        assertEquals(status, e.get("code").asInt());
        assertTrue(e.get("message").asText().contains(messagePart), "message: " + e.get("message").asText());
        if (param != null) assertEquals(param, e.get("param").asText());
        TestServer.Reply ok = s.post("/v1/completions", VALID);
        assertEquals(200, ok.status(), ok.body());
        return e;
    }

    @Test
    void malformedJsonAndNonObjectBodies() {
        refused("/v1/completions", "{\"prompt\": ", 400, "BadRequestError", "not valid JSON", null);
        refused("/v1/completions", "[1, 2]", 400, "BadRequestError", "JSON object", null);
        refused("/v1/completions", "", 400, "BadRequestError", "empty", null);
        refused("/v1/chat/completions", "{\"messages\": 5}", 400, "BadRequestError", "messages", "messages");
    }

    @Test
    void wrongTypesAndMissingFields() {
        refused("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":\"ten\"}", 400, "BadRequestError", "'max_tokens' must be an integer", "max_tokens");
        refused("/v1/completions", "{\"prompt\":\"a\",\"temperature\":\"hot\"}", 400, "BadRequestError", "'temperature' must be a number", "temperature");
        refused("/v1/completions", "{\"prompt\":\"a\",\"stop\":[1]}", 400, "BadRequestError", "'stop' must be a string or a list", "stop");
        refused("/v1/completions", "{\"prompt\":[\"a\", 3]}", 400, "BadRequestError", "'prompt' must be", "prompt");
        refused("/v1/completions", "{\"max_tokens\":3}", 400, "BadRequestError", "prompt", "prompt");
        refused("/generate", "{\"max_tokens\":3}", 400, "BadRequestError", "'prompt'", "prompt");
        refused("/detokenize", "{}", 400, "BadRequestError", "'tokens'", "tokens");
    }

    @Test
    void outOfRangeValuesUseVllmsMessages() {
        refused("/v1/completions", "{\"prompt\":\"a\",\"temperature\":-1}", 400, "BadRequestError", "temperature must be non-negative", "temperature");
        refused("/v1/completions", "{\"prompt\":\"a\",\"top_p\":0}", 400, "BadRequestError", "top_p must be in (0, 1]", "top_p");
        refused("/v1/completions", "{\"prompt\":\"a\",\"top_k\":-5}", 400, "BadRequestError", "top_k must be 0 (disable), or at least 1", "top_k");
        refused("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":0}", 400, "BadRequestError", "max_tokens must be at least 1", "max_tokens");
        refused("/v1/completions", "{\"prompt\":\"a\",\"n\":2,\"temperature\":0}", 400, "BadRequestError", "n must be 1 when using greedy sampling", "n");
        refused("/v1/completions", "{\"prompt\":\"a\",\"stop\":[\"\"]}", 400, "BadRequestError", "stop cannot contain an empty string", "stop");
        refused("/v1/completions", "{\"prompt\":\"a\",\"logprobs\":50}", 400, "BadRequestError", "greater than max allowed: 20", "logprobs");
        refused("/v1/completions", "{\"prompt\":\"a\",\"stream_options\":{\"include_usage\":true}}", 400, "BadRequestError",
                "Stream options can only be defined when stream=True.", "stream_options");
        refused("/v1/completions", "{\"prompt\":[999999]}", 400, "BadRequestError", "out of range", null);
    }

    @Test
    void promptPlusMaxTokensBeyondTheContextStatesTheNumbers() {
        JsonNode e = refused("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":300}", 400, "BadRequestError",
                "maximum context length is 256 tokens. However, you requested 305 tokens (5 in the messages, 300 in the completion)", "max_tokens");
        assertNotNull(e);
        String longPrompt = "{\"prompt\":\"" + "a b c d ".repeat(100) + "\"}";
        refused("/v1/completions", longPrompt, 400, "BadRequestError", "maximum context length is 256 tokens. However, your request has", null);
    }

    @Test
    void notYetBuiltFeaturesAreRefusedOnlyAtNonNeutralValues() {
        for (String field : new String[]{"\"logits_processors\":[\"x\"]", "\"prompt_embeds\":\"eA==\""}) {
            String name = field.substring(1, field.indexOf('"', 1));
            refused("/v1/completions", "{\"prompt\":\"a\"," + field + "}", 400, "BadRequestError", name, name);
        }
        String neutral = "{\"prompt\":\"a\",\"max_tokens\":2,\"presence_penalty\":0,\"frequency_penalty\":0,\"repetition_penalty\":1,"
                + "\"use_beam_search\":false,\"best_of\":1,\"logit_bias\":{},\"min_tokens\":0,\"response_format\":{\"type\":\"text\"},"
                + "\"guided_json\":null,\"user\":\"u1\",\"some_future_field\":{\"x\":1}}";
        TestServer.Reply r = s.post("/v1/completions", neutral);
        assertEquals(200, r.status(), r.body());
    }

    @Test
    void unknownModelIs404NotFoundError() {
        refused("/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"a\"}", 404, "NotFoundError", "The model `gpt-4` does not exist.", null);
        TestServer.Reply named = s.post("/v1/completions", "{\"model\":\"" + s.model.name() + "\",\"prompt\":\"a\",\"max_tokens\":2}");
        assertEquals(200, named.status(), named.body());
    }

    @Test
    void unknownRouteIs404() {
        TestServer.Reply r = s.post("/v1/nothing", "{}");
        assertEquals(404, r.status());
        assertEquals("NotFoundError", r.json().get("error").get("type").asText());
    }

    @Test
    void bodyOverTheLimitIs413() {
        String big = "{\"prompt\":\"" + "x".repeat(70 * 1024) + "\"}";
        refused("/v1/completions", big, 413, "RequestTooLargeError", "larger than the limit", null);
    }

    @Test
    void apiKeyGuardsV1AndGenerateButNotHealthOrMetrics() {
        for (String key : new String[]{null, "wrong"}) {
            for (String path : new String[]{"/v1/completions", "/generate"}) {
                HttpRequest.Builder b = HttpRequest.newBuilder(java.net.URI.create(s.base + path))
                        .POST(HttpRequest.BodyPublishers.ofString(VALID));
                if (key != null) b.header("Authorization", "Bearer " + key);
                TestServer.Reply r = s.send(b.build());
                assertEquals(401, r.status(), path);
                assertEquals("Unauthorized", r.json().get("error").get("message").asText());
            }
            TestServer.Reply models = s.send(HttpRequest.newBuilder(java.net.URI.create(s.base + "/v1/models")).GET().build());
            assertEquals(401, models.status());
        }
        assertEquals(200, s.send(HttpRequest.newBuilder(java.net.URI.create(s.base + "/health")).GET().build()).status());
        assertEquals(200, s.send(HttpRequest.newBuilder(java.net.URI.create(s.base + "/metrics")).GET().build()).status());
        assertEquals(200, s.post("/v1/completions", VALID).status());
    }
}
