package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.engine.Logprob;
import dev.pagoda.engine.RequestOutput;
import dev.pagoda.sampling.SamplingParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.pagoda.server.CompletionsEndpointTest.body;
import static dev.pagoda.server.CompletionsEndpointTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vLLM's {@code prompt_logprobs} through /v1/completions (on each choice), /v1/chat/completions
 * (on the response) and /generate, equal to the engine's own; OpenAI completions' echo with
 * logprobs (prompt tokens first, the first with a null logprob, streamed in the first chunk);
 * and vLLM's 400s.
 */
class PromptLogprobsApiTest {
    static final String PROMPT = "Once upon a time there was a little girl named Lily";
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.bundled(c -> c, a -> a.maxModelLen = 256);
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    /** The engine's prompt log-probabilities for these prompt tokens, submitted directly. */
    static List<Map<Integer, Logprob>> engine(int[] prompt, int k) {
        var stream = s.model.submit("engine-check-" + System.nanoTime(), null, prompt,
                SamplingParams.builder().temperature(0.0).maxTokens(1).promptLogprobs(k).build());
        try {
            RequestOutput o;
            do {
                o = stream.next(10, TimeUnit.SECONDS);
            } while (o == null || !o.finished());
            return o.promptLogprobs();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            s.model.release();
        }
    }

    /** vLLM's shape, [null, {"id": {logprob, rank, decoded_token}}, ...], equal to the engine's entries. */
    static void assertEqualsEngine(List<Map<Integer, Logprob>> want, JsonNode got, String what) {
        assertTrue(got != null && got.isArray(), what + ": prompt_logprobs missing: " + got);
        assertEquals(want.size(), got.size(), what + ": one entry per prompt token");
        assertTrue(got.get(0).isNull(), what + ": the first prompt token has none");
        for (int i = 1; i < want.size(); i++) {
            JsonNode entry = got.get(i);
            assertEquals(want.get(i).size(), entry.size(), what + " position " + i);
            List<String> order = new ArrayList<>();
            entry.fieldNames().forEachRemaining(order::add);
            List<String> wantOrder = want.get(i).keySet().stream().map(String::valueOf).toList();
            assertEquals(wantOrder, order, what + " position " + i + ": the prompt token first, then the top k");
            for (Map.Entry<Integer, Logprob> e : want.get(i).entrySet()) {
                JsonNode lp = entry.get(Integer.toString(e.getKey()));
                assertEquals(e.getValue().logprob(), lp.get("logprob").asDouble(), 1e-6, what + " position " + i);
                assertEquals(e.getValue().rank(), lp.get("rank").asInt(), what + " position " + i);
                assertEquals(e.getValue().decodedToken(), lp.get("decoded_token").asText(), what + " position " + i);
            }
        }
    }

    static ArrayNode ids(ObjectNode req, String field, int[] ids) {
        ArrayNode a = req.putArray(field);
        for (int id : ids) a.add(id);
        return a;
    }

    @Test
    void completionsChatAndGenerateEqualTheEngine() {
        int[] prompt = s.model.tokenizer().encode(PROMPT, true);
        List<Map<Integer, Logprob>> want = engine(prompt, 3);
        assertEquals(prompt.length, want.size());

        ObjectNode req = body("{\"max_tokens\":3,\"temperature\":0.7,\"seed\":1,\"n\":2,\"prompt_logprobs\":3}");
        ids(req, "prompt", prompt);
        JsonNode completions = s.post("/v1/completions", req).json();
        for (JsonNode choice : completions.get("choices")) assertEqualsEngine(want, choice.get("prompt_logprobs"), "completions");
        ObjectNode byText = body("{\"max_tokens\":3,\"temperature\":0,\"prompt_logprobs\":3}");
        byText.put("prompt", PROMPT);
        assertEqualsEngine(want, s.post("/v1/completions", byText).json().get("choices").get(0).get("prompt_logprobs"), "completions, text");

        ObjectNode chat = body("{\"max_tokens\":3,\"temperature\":0,\"prompt_logprobs\":3,\"add_special_tokens\":true,"
                + "\"chat_template\":\"{{ messages[0]['content'] }}\"}");
        chat.putArray("messages").addObject().put("role", "user").put("content", PROMPT);
        JsonNode chatReply = s.post("/v1/chat/completions", chat).json();
        assertEqualsEngine(want, chatReply.get("prompt_logprobs"), "chat");
        assertTrue(chatReply.get("choices").get(0).get("prompt_logprobs") == null, "chat: on the response, not the choice");

        ObjectNode gen = body("{\"max_tokens\":3,\"temperature\":0,\"prompt_logprobs\":3}");
        gen.put("prompt", PROMPT);
        assertEqualsEngine(want, s.post("/generate", gen).json().get("prompt_logprobs"), "generate");
        gen.put("stream", true);
        String[] lines = s.post("/generate", gen).body().split("\n");
        assertEqualsEngine(want, parse(lines[0]).get("prompt_logprobs"), "generate, first streamed line");
        for (int i = 1; i < lines.length; i++) assertTrue(parse(lines[i]).get("prompt_logprobs") == null, "sent once");

        // Not asked for: null (completions choices and chat responses carry the field, as vLLM's).
        JsonNode plain = s.post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2}").json().get("choices").get(0);
        assertTrue(plain.get("prompt_logprobs").isNull());
        assertTrue(s.post("/generate", "{\"prompt\":\"a\",\"max_tokens\":2}").json().get("prompt_logprobs") == null);

        // 0: each prompt token's own log-probability only; beam search computes them once for its beams.
        List<Map<Integer, Logprob>> zero = engine(prompt, 0);
        for (int i = 1; i < zero.size(); i++) assertEquals(1, zero.get(i).size());
        ObjectNode beams = body("{\"max_tokens\":3,\"use_beam_search\":true,\"n\":2,\"prompt_logprobs\":0}");
        ids(beams, "prompt", prompt);
        for (JsonNode choice : s.post("/v1/completions", beams).json().get("choices")) {
            assertEqualsEngine(zero, choice.get("prompt_logprobs"), "beam search");
        }
    }

    /** The completions logprobs object's arrays agree with each other: offsets run over the token texts. */
    static void assertOffsets(JsonNode lp, int from) {
        int offset = from;
        for (int i = 0; i < lp.get("tokens").size(); i++) {
            assertEquals(offset, lp.get("text_offset").get(i).asInt(), "text_offset " + i);
            offset += lp.get("tokens").get(i).asText().length();
        }
    }

    @Test
    void echoWithLogprobsStartsWithThePromptTokens() {
        int[] prompt = s.model.tokenizer().encode(PROMPT, true);
        List<Map<Integer, Logprob>> want = engine(prompt, 2);
        String common = "\"prompt\":\"" + PROMPT + "\",\"max_tokens\":4,\"temperature\":0,\"logprobs\":2";
        JsonNode plain = s.post("/v1/completions", "{" + common + "}").json().get("choices").get(0);
        JsonNode echoed = s.post("/v1/completions", "{" + common + ",\"echo\":true}").json().get("choices").get(0);
        assertEquals(PROMPT + plain.get("text").asText(), echoed.get("text").asText());
        assertEqualsEngine(want, echoed.get("prompt_logprobs"), "echo implies prompt logprobs");
        JsonNode lp = echoed.get("logprobs");
        int n = prompt.length;
        assertEquals(n + 4, lp.get("tokens").size());
        assertEquals(n + 4, lp.get("token_logprobs").size());
        assertEquals(n + 4, lp.get("top_logprobs").size());
        assertTrue(lp.get("token_logprobs").get(0).isNull(), "the first prompt token has no logprob");
        assertTrue(lp.get("top_logprobs").get(0).isNull());
        assertEquals(s.model.tokenizer().decode(new int[]{prompt[0]}, false), lp.get("tokens").get(0).asText());
        for (int i = 1; i < n; i++) {
            Logprob actual = want.get(i).get(prompt[i]);
            assertEquals(actual.decodedToken(), lp.get("tokens").get(i).asText());
            assertEquals(actual.logprob(), lp.get("token_logprobs").get(i).asDouble(), 1e-6, "prompt position " + i);
            JsonNode top = lp.get("top_logprobs").get(i);
            assertTrue(top.size() >= 1 && top.size() <= 2, top.toString());
            for (Map.Entry<Integer, Logprob> e : want.get(i).entrySet()) {
                if (e.getValue().rank() <= 2) assertEquals(e.getValue().logprob(), top.get(e.getValue().decodedToken()).asDouble(), 1e-6);
            }
        }
        JsonNode outLp = plain.get("logprobs");
        for (int i = 0; i < 4; i++) {
            assertEquals(outLp.get("tokens").get(i), lp.get("tokens").get(n + i));
            assertEquals(outLp.get("token_logprobs").get(i).asDouble(), lp.get("token_logprobs").get(n + i).asDouble(), 1e-6);
            assertEquals(outLp.get("top_logprobs").get(i), lp.get("top_logprobs").get(n + i));
        }
        assertOffsets(lp, 0);

        // An explicit prompt_logprobs sets the prompt entries' k; logprobs still sets how many are shown.
        JsonNode explicit = s.post("/v1/completions", "{" + common + ",\"echo\":true,\"prompt_logprobs\":5}").json().get("choices").get(0);
        assertEqualsEngine(engine(prompt, 5), explicit.get("prompt_logprobs"), "explicit prompt_logprobs with echo");
        assertEquals(lp.get("token_logprobs"), explicit.get("logprobs").get("token_logprobs"));

        // max_tokens 0 with echo: the prompt alone (vLLM's scoring request).
        JsonNode only = s.post("/v1/completions", "{\"prompt\":\"" + PROMPT + "\",\"max_tokens\":0,\"echo\":true,\"logprobs\":1}").json()
                .get("choices").get(0);
        assertEquals(PROMPT, only.get("text").asText());
        assertEquals(n, only.get("logprobs").get("tokens").size());
        for (int i = 1; i < n; i++) {
            assertEquals(lp.get("token_logprobs").get(i).asDouble(), only.get("logprobs").get("token_logprobs").get(i).asDouble(), 1e-6);
        }
    }

    @Test
    void streamedEchoSendsThePromptLogprobsInTheFirstChunk() {
        int[] prompt = s.model.tokenizer().encode(PROMPT, true);
        ObjectNode req = body("{\"max_tokens\":5,\"temperature\":0,\"logprobs\":2,\"echo\":true}");
        req.put("prompt", PROMPT);
        JsonNode whole = s.post("/v1/completions", req).json().get("choices").get(0).get("logprobs");
        req.put("stream", true);
        List<String> events = s.stream("/v1/completions", req);
        assertEquals("[DONE]", events.getLast());
        JsonNode first = parse(events.getFirst()).get("choices").get(0);
        assertTrue(first.get("text").asText().startsWith(PROMPT));
        JsonNode firstLp = first.get("logprobs");
        assertTrue(firstLp.get("tokens").size() >= prompt.length, "the prompt's tokens are all in the first chunk");
        assertTrue(firstLp.get("token_logprobs").get(0).isNull());
        List<JsonNode> tokens = new ArrayList<>(), lps = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode c = parse(e).get("choices").get(0);
            JsonNode lp = c.get("logprobs");
            // vLLM: a chunk's offsets start at the length of the text sent before it, then run over its token texts.
            if (lp.get("tokens").size() > 0) assertOffsets(lp, text.length());
            text.append(c.get("text").asText());
            for (int i = 0; i < lp.get("tokens").size(); i++) {
                tokens.add(lp.get("tokens").get(i));
                lps.add(lp.get("token_logprobs").get(i));
            }
        }
        assertEquals(whole.get("tokens").size(), tokens.size());
        for (int i = 0; i < tokens.size(); i++) {
            assertEquals(whole.get("tokens").get(i), tokens.get(i));
            if (i == 0) assertTrue(lps.get(i).isNull());
            else assertEquals(whole.get("token_logprobs").get(i).asDouble(), lps.get(i).asDouble(), 1e-6);
        }
        assertTrue(text.toString().startsWith(PROMPT));
    }

    static void assertRefused(String path, String body, String param, String messagePart) {
        TestServer.Reply r = s.post(path, body);
        assertEquals(400, r.status(), path + " " + body + ": " + r.body());
        JsonNode err = r.json().get("error");
        assertEquals(param, err.get("param").asText(), r.body());
        assertTrue(err.get("message").asText().contains(messagePart), r.body());
    }

    @Test
    void vllmsRefusals() {
        String chat = "\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"chat_template\":\"{{ messages[0]['content'] }}\",";
        for (String[] e : List.of(new String[]{"/v1/completions", "\"prompt\":\"a\","}, new String[]{"/v1/chat/completions", chat},
                new String[]{"/generate", "\"prompt\":\"a\","})) {
            assertRefused(e[0], "{" + e[1] + "\"prompt_logprobs\":21}", "prompt_logprobs", "Requested prompt logprobs of 21, which is greater than max allowed: 20");
            assertRefused(e[0], "{" + e[1] + "\"prompt_logprobs\":-1}", "prompt_logprobs", "Requested prompt logprobs of 512");
            assertRefused(e[0], "{" + e[1] + "\"prompt_logprobs\":-2}", "prompt_logprobs", "non-negative or -1");
            assertRefused(e[0], "{" + e[1] + "\"prompt_logprobs\":\"x\"}", "prompt_logprobs", "integer");
            assertEquals(200, s.post(e[0], "{" + e[1] + "\"prompt_logprobs\":20,\"max_tokens\":2}").status());
        }
        for (String[] e : List.of(new String[]{"/v1/completions", "\"prompt\":\"a\","}, new String[]{"/v1/chat/completions", chat})) {
            assertRefused(e[0], "{" + e[1] + "\"stream\":true,\"prompt_logprobs\":1}", "prompt_logprobs", "not available when `stream=True`");
            ObjectNode zero = body("{" + e[1] + "\"stream\":true,\"prompt_logprobs\":0,\"max_tokens\":2}");
            assertEquals("[DONE]", s.stream(e[0], zero).getLast(), "prompt_logprobs 0 may stream (vLLM)");
        }
        assertRefused("/v1/completions", "{\"prompt\":\"a\",\"echo\":true,\"logprobs\":21}", "logprobs", "greater than max allowed");
        assertRefused("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":0}", "max_tokens", "at least 1");
    }
}
