package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.engine.CompletionOutput;
import dev.pagoda.engine.LLMEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.List;

import static dev.pagoda.server.CompletionsEndpointTest.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sampling through the API: every validation rule is a 400 naming its field (on each generation
 * endpoint), the sampling fields reach the engine (best_of, beam search, penalties, bias, bans,
 * stop strings), streams of best_of/beam search send their choices as one chunk, and
 * log-probabilities equal the engine's and llama.cpp's.
 */
class SamplingApiTest {
    static final String TEMPLATE = "{% for m in messages %}{{ m['content'] }}\\n{% endfor %}";
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.bundled(c -> c, a -> a.maxModelLen = 256);
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    /** The same fields as a completions, a chat and a /generate body. */
    static List<String[]> endpoints(String fields) {
        return List.of(
                new String[]{"/v1/completions", "{\"prompt\":\"Once upon a time\"," + fields + "}"},
                new String[]{"/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"Tom had a dog.\"}],\"chat_template\":\""
                        + TEMPLATE + "\",\"max_tokens\":16," + fields + "}"},
                new String[]{"/generate", "{\"prompt\":\"Once upon a time\"," + fields + "}"});
    }

    static void refused(String fields, String field, String messagePart) {
        for (String[] e : endpoints(fields)) {
            TestServer.Reply r = s.post(e[0], e[1]);
            assertEquals(400, r.status(), e[0] + " " + fields + ": " + r.body());
            JsonNode err = r.json().get("error");
            assertEquals(field, err.get("param").asText(), e[0] + " " + fields + ": " + r.body());
            String message = err.get("message").asText();
            assertTrue(message.contains(field) && message.contains(messagePart), e[0] + " " + fields + ": " + message);
        }
    }

    @Test
    void everyValidationRuleIsA400NamingTheField() {
        refused("\"n\":0", "n", "at least 1");
        refused("\"n\":500", "n", "at most");
        refused("\"n\":2,\"temperature\":0", "n", "greedy");
        refused("\"n\":3,\"best_of\":2,\"temperature\":1", "best_of", "greater than or equal to n");
        refused("\"best_of\":2,\"temperature\":0", "best_of", "greedy");
        refused("\"best_of\":500", "best_of", "at most");
        refused("\"temperature\":-1", "temperature", "non-negative");
        refused("\"top_p\":0", "top_p", "(0, 1]");
        refused("\"top_p\":1.5", "top_p", "(0, 1]");
        refused("\"top_k\":-2", "top_k", "at least 1");
        refused("\"min_p\":1.5", "min_p", "[0, 1]");
        refused("\"presence_penalty\":2.5", "presence_penalty", "[-2, 2]");
        refused("\"presence_penalty\":-3", "presence_penalty", "[-2, 2]");
        refused("\"frequency_penalty\":2.01", "frequency_penalty", "[-2, 2]");
        refused("\"repetition_penalty\":0", "repetition_penalty", "greater than zero");
        refused("\"repetition_penalty\":-1", "repetition_penalty", "greater than zero");
        refused("\"max_tokens\":0", "max_tokens", "at least 1");
        refused("\"min_tokens\":-1", "min_tokens", "greater than or equal to 0");
        refused("\"min_tokens\":20,\"max_tokens\":10", "min_tokens", "less than or equal to max_tokens");
        refused("\"stop\":[\"\"]", "stop", "empty string");
        refused("\"stop_token_ids\":[99999]", "stop_token_ids", "out-of-vocab");
        refused("\"allowed_token_ids\":[]", "allowed_token_ids", "empty");
        refused("\"allowed_token_ids\":[1,99999]", "allowed_token_ids", "out-of-vocab");
        refused("\"logit_bias\":{\"99999\":5}", "logit_bias", "out-of-vocab");
        refused("\"logit_bias\":{\"abc\":5}", "logit_bias", "token ids");
        refused("\"logit_bias\":[1]", "logit_bias", "object");
        refused("\"bad_words\":5", "bad_words", "string");
        refused("\"truncate_prompt_tokens\":0", "truncate_prompt_tokens", ">= 1 or -1");
        refused("\"truncate_prompt_tokens\":1000", "truncate_prompt_tokens", "max_model_len");
        refused("\"skip_special_tokens\":\"no\"", "skip_special_tokens", "boolean");
        refused("\"seed\":\"x\"", "seed", "integer");
        refused("\"use_beam_search\":true", "n", "greater than 1 when using beam search");
        refused("\"use_beam_search\":true,\"best_of\":1", "best_of", "greater than 1 when using beam search");
        refused("\"use_beam_search\":true,\"n\":2,\"temperature\":0.7", "temperature", "must be 0 when using beam search");
        refused("\"use_beam_search\":true,\"n\":2,\"top_p\":0.5", "top_p", "must be 1 when using beam search");
        refused("\"use_beam_search\":true,\"n\":2,\"top_k\":5", "top_k", "must be -1 when using beam search");
        refused("\"use_beam_search\":true,\"n\":2,\"early_stopping\":\"sometimes\"", "early_stopping", "'never'");
        refused("\"early_stopping\":true", "early_stopping", "not effective");
        refused("\"length_penalty\":2", "length_penalty", "not effective");
        for (String path : List.of("/v1/completions", "/generate")) {
            TestServer.Reply r = s.post(path, "{\"prompt\":\"a\",\"logprobs\":50}");
            assertEquals(400, r.status());
            assertEquals("logprobs", r.json().get("error").get("param").asText());
        }
        TestServer.Reply r = s.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"chat_template\":\""
                + TEMPLATE + "\",\"logprobs\":true,\"top_logprobs\":50}");
        assertEquals(400, r.status());
        assertEquals("top_logprobs", r.json().get("error").get("param").asText());
    }

    @Test
    void neutralAndValidValuesAreAccepted() {
        for (String[] e : endpoints("\"max_tokens\":8,\"temperature\":0.8,\"seed\":3,\"presence_penalty\":0.5,\"frequency_penalty\":-0.5,"
                + "\"repetition_penalty\":1.2,\"logit_bias\":{\"400\":150},\"min_tokens\":2,\"bad_words\":[\"dog\"],\"allowed_token_ids\":null,"
                + "\"skip_special_tokens\":false,\"spaces_between_special_tokens\":false,\"truncate_prompt_tokens\":-1,\"top_k\":-1")) {
            TestServer.Reply r = s.post(e[0], e[1]);
            assertEquals(200, r.status(), e[0] + ": " + r.body());
        }
    }

    @Test
    void bestOfReturnsTheHighestCumulativeLogprobAmongItsCandidates() {
        String common = "\"prompt\":\"Once upon a time\",\"max_tokens\":10,\"temperature\":1,\"seed\":21,\"logprobs\":0";
        JsonNode all = s.post("/v1/completions", "{" + common + ",\"n\":5}").json();
        JsonNode best = s.post("/v1/completions", "{" + common + ",\"n\":1,\"best_of\":5}").json();
        double top = Double.NEGATIVE_INFINITY;
        String topText = null;
        for (JsonNode c : all.get("choices")) {
            double sum = 0;
            for (JsonNode lp : c.get("logprobs").get("token_logprobs")) sum += lp.asDouble();
            if (sum > top) {
                top = sum;
                topText = c.get("text").asText();
            }
        }
        assertEquals(1, best.get("choices").size());
        assertEquals(topText, best.get("choices").get(0).get("text").asText());
    }

    @Test
    void beamSearchAndBestOfStreamTheirChoicesAsOneFinalChunk() {
        for (String fields : List.of("\"use_beam_search\":true,\"n\":3,\"length_penalty\":0.8,\"early_stopping\":\"never\"",
                "\"n\":2,\"best_of\":4,\"temperature\":1,\"seed\":5")) {
            ObjectNode req = body("{\"prompt\":\"Once upon a time\",\"max_tokens\":8," + fields + "}");
            JsonNode plain = s.post("/v1/completions", req).json();
            req.put("stream", true);
            List<String> events = s.stream("/v1/completions", req);
            assertEquals(2, events.size(), "one chunk, then [DONE]: " + events);
            JsonNode chunk = CompletionsEndpointTest.parse(events.getFirst());
            assertEquals(plain.get("choices").size(), chunk.get("choices").size());
            for (int i = 0; i < chunk.get("choices").size(); i++) {
                assertEquals(plain.get("choices").get(i).get("text"), chunk.get("choices").get(i).get("text"), fields);
                assertEquals(plain.get("choices").get(i).get("finish_reason"), chunk.get("choices").get(i).get("finish_reason"));
            }
            if (fields.contains("beam")) {
                // Beam search is deterministic: three different beams, best first.
                assertNotEquals(chunk.get("choices").get(0).get("text"), chunk.get("choices").get(1).get("text"));
            }
        }
    }

    @Test
    void logprobsEqualTheEnginesAndLlamaCpps() throws Exception {
        JsonNode ref = Json.MAPPER.readTree(Files.readString(TestServer.shared().resolve("reference/stories260K-llamacpp.json")));
        for (JsonNode c : ref.get("cases")) {
            if (c.get("prompt_token_ids").size() >= 200 || c.get("prompt_token_ids").isEmpty()) continue;
            int positions = c.get("top5_all").size();
            ObjectNode req = body("{\"max_tokens\":" + positions + ",\"temperature\":0,\"logprobs\":5,\"ignore_eos\":true}");
            req.set("prompt", c.get("prompt_token_ids"));
            JsonNode lp = s.post("/v1/completions", req).json().get("choices").get(0).get("logprobs");
            JsonNode chatLp = chat(c, positions);
            // The engine's own figures for the same request.
            int[] prompt = new int[c.get("prompt_token_ids").size()];
            for (int i = 0; i < prompt.length; i++) prompt[i] = c.get("prompt_token_ids").get(i).asInt();
            CompletionOutput engine = engineOutput(prompt, positions);
            for (int i = 0; i < positions; i++) {
                JsonNode want = c.get("top5_all").get(i);
                int chosen = engine.tokenIds()[i];
                if (chosen != want.get(0).get(0).asInt()) break; // past a near-tie the paths may part
                double got = lp.get("token_logprobs").get(i).asDouble();
                assertEquals(engine.logprobs().get(i).get(chosen).logprob(), got, 1e-6, "API = engine");
                assertEquals(want.get(0).get(1).asDouble(), got, 1e-3, c.get("id") + " position " + i);
                assertEquals(got, chatLp.get(i).get("logprob").asDouble(), 1e-6, "chat = completions");
                JsonNode tops = chatLp.get(i).get("top_logprobs");
                for (int k = 0; k < 5; k++) {
                    assertEquals(want.get(k).get(1).asDouble(), tops.get(k).get("logprob").asDouble(), 1e-3, c.get("id") + " position " + i + " top " + k);
                }
                assertTrue(lp.get("top_logprobs").get(i).size() <= 5, "tokens with the same text share a key");
            }
        }
    }

    /** Chat logprobs for the same prompt: a template that renders the text alone, tokenized with BOS as the reference was. */
    private static JsonNode chat(JsonNode c, int positions) {
        ObjectNode req = body("{\"max_tokens\":" + positions + ",\"temperature\":0,\"logprobs\":true,\"top_logprobs\":5,\"ignore_eos\":true,"
                + "\"add_special_tokens\":true,\"chat_template\":\"{{ messages[0]['content'] }}\"}");
        req.putArray("messages").addObject().put("role", "user").put("content", c.get("prompt").asText());
        return s.post("/v1/chat/completions", req).json().get("choices").get(0).get("logprobs").get("content");
    }

    private static CompletionOutput engineOutput(int[] prompt, int positions) {
        var stream = s.model.submit("engine-check-" + System.nanoTime(), null, prompt, dev.pagoda.sampling.SamplingParams.builder()
                .temperature(0.0).maxTokens(positions).logprobs(5).ignoreEos(true).build());
        try {
            dev.pagoda.engine.RequestOutput o;
            do {
                o = stream.next(10, java.util.concurrent.TimeUnit.SECONDS);
            } while (o == null || !o.finished());
            return o.outputs().getFirst();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            s.model.release();
        }
    }

    @Test
    void stopStringsPenaltiesAndBansReachTheEngine() {
        String greedy = "\"prompt\":\"Once upon a time\",\"max_tokens\":30,\"temperature\":0";
        String text = s.post("/v1/completions", "{" + greedy + "}").json().get("choices").get(0).get("text").asText();
        String penalised = s.post("/v1/completions", "{" + greedy + ",\"repetition_penalty\":2.0,\"frequency_penalty\":1.5}").json()
                .get("choices").get(0).get("text").asText();
        assertNotEquals(text, penalised);
        JsonNode forced = s.post("/v1/completions", "{" + greedy + ",\"allowed_token_ids\":[400],\"max_tokens\":3}").json();
        assertEquals(s.model.tokenizer().decode(new int[]{400, 400, 400}, true).strip(), forced.get("choices").get(0).get("text").asText().strip());
        JsonNode biased = s.post("/v1/completions", "{" + greedy + ",\"logit_bias\":{\"400\":100},\"max_tokens\":3}").json();
        assertEquals(forced.get("choices").get(0).get("text"), biased.get("choices").get(0).get("text"));
        String stop = text.substring(5, 9);
        JsonNode stopped = s.post("/generate", "{" + greedy + ",\"stop\":[\"" + stop + "\"],\"include_stop_str_in_output\":true}").json();
        assertEquals("Once upon a time" + text.substring(0, text.indexOf(stop) + stop.length()), stopped.get("text").get(0).asText());
    }
}
