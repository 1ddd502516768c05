package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.pagoda.server.CompletionsEndpointTest.body;
import static dev.pagoda.server.CompletionsEndpointTest.parse;
import static org.junit.jupiter.api.Assertions.*;

/** /v1/chat/completions with a model's own chat template (the Qwen2 fixture: random weights, real tokenizer and template). */
class ChatEndpointTest {
    static TestServer s;
    static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello\"}]}]";

    @BeforeAll
    static void start() {
        s = TestServer.qwen2();
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    @Test
    void chatAndItsStreamAgreeAndTheStreamStartsWithTheRole() {
        ObjectNode req = body("{\"model\":\"qwen2-fixture\",\"messages\":" + MESSAGES + ",\"max_tokens\":24,\"temperature\":0,\"ignore_eos\":true}");
        TestServer.Reply r = s.post("/v1/chat/completions", req);
        assertEquals(200, r.status(), r.body());
        JsonNode j = r.json();
        assertEquals("chat.completion", j.get("object").asText());
        JsonNode msg = j.get("choices").get(0).get("message");
        assertEquals("assistant", msg.get("role").asText());
        String text = msg.get("content").asText();
        assertEquals(24, j.get("usage").get("completion_tokens").asInt());
        String rendered = s.post("/tokenize", body("{\"messages\":" + MESSAGES + "}")).json().get("count").asText();
        assertEquals(rendered, j.get("usage").get("prompt_tokens").asText(), "/tokenize renders messages as chat does");

        req.put("stream", true);
        req.putObject("stream_options").put("include_usage", true);
        List<String> events = s.stream("/v1/chat/completions", req);
        JsonNode first = parse(events.getFirst()).get("choices").get(0).get("delta");
        assertEquals("assistant", first.get("role").asText());
        StringBuilder sb = new StringBuilder();
        for (String e : events.subList(1, events.size() - 2)) {
            JsonNode c = parse(e);
            assertEquals("chat.completion.chunk", c.get("object").asText());
            JsonNode content = c.get("choices").get(0).get("delta").get("content");
            if (content != null) sb.append(content.asText());
        }
        assertEquals(text, sb.toString());
        assertEquals(24, parse(events.get(events.size() - 2)).get("usage").get("completion_tokens").asInt());
        assertEquals("[DONE]", events.getLast());
    }

    @Test
    void maxCompletionTokensWinsAndMaxTokensDefaultsToTheRestOfTheContext() {
        JsonNode j = s.post("/v1/chat/completions", body("{\"messages\":" + MESSAGES
                + ",\"max_tokens\":20,\"max_completion_tokens\":3,\"temperature\":0,\"ignore_eos\":true}")).json();
        assertEquals(3, j.get("usage").get("completion_tokens").asInt());
        JsonNode all = s.post("/v1/chat/completions", body("{\"messages\":" + MESSAGES + ",\"temperature\":0,\"ignore_eos\":true}")).json();
        assertEquals(s.model.maxModelLen(), all.get("usage").get("total_tokens").asInt());
        assertEquals("length", all.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void continueFinalMessageAndTemplateKwargs() {
        String continued = "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Well\"}]";
        JsonNode t = s.post("/tokenize", body("{\"messages\":" + continued + ",\"continue_final_message\":true,\"add_generation_prompt\":false}")).json();
        String prompt = s.post("/detokenize", body("{\"tokens\":" + t.get("tokens") + "}")).json().get("prompt").asText();
        assertTrue(prompt.endsWith("Well"), prompt);
        TestServer.Reply both = s.post("/v1/chat/completions", body("{\"messages\":" + continued
                + ",\"continue_final_message\":true,\"add_generation_prompt\":true}"));
        assertEquals(400, both.status());
        JsonNode lp = s.post("/v1/chat/completions", body("{\"messages\":" + MESSAGES
                + ",\"max_tokens\":3,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}")).json();
        JsonNode content = lp.get("choices").get(0).get("logprobs").get("content");
        assertEquals(3, content.size());
        assertEquals(2, content.get(0).get("top_logprobs").size());
        assertEquals(content.get(0).get("logprob").asDouble(), content.get(0).get("top_logprobs").get(0).get("logprob").asDouble(), 1e-6);
    }

    @Test
    void badMessagesAre400() {
        assertEquals(400, s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}").status());
        assertEquals(400, s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]}").status());
        assertEquals(400, s.post("/v1/chat/completions", "{\"messages\":[]}").status());
        assertEquals(400, s.post("/v1/chat/completions", "{\"messages\":" + MESSAGES + ",\"top_logprobs\":2}").status());
        assertEquals(200, s.post("/v1/chat/completions", "{\"messages\":" + MESSAGES + ",\"max_tokens\":2}").status());
    }
}
