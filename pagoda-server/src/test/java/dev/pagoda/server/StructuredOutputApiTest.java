package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structured output through the API on the bundled model at temperature 1: every field that
 * carries a constraint (guided_json, guided_regex, guided_choice, response_format,
 * structured_outputs) yields output that conforms and ends with "stop"; streams too; bad or
 * unsupported constraints are 400s that name the field or the feature.
 */
class StructuredOutputApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TEMPLATE = "{% for m in messages %}{{ m['content'] }}\\n{% endfor %}";
    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":8},"
            + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120},\"pet\":{\"enum\":[\"cat\",\"dog\"]}},"
            + "\"required\":[\"name\",\"age\",\"pet\"],\"additionalProperties\":false}";
    static TestServer s;

    @BeforeAll
    static void start() {
        s = TestServer.bundled(c -> c, a -> a.maxModelLen = 512);
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    static void assertPerson(String text) throws Exception {
        JsonNode v = JSON.readTree(text);
        assertEquals(3, v.size(), text);
        assertTrue(v.get("name").isTextual() && v.get("name").asText().length() <= 8, text);
        assertTrue(v.get("age").isInt() && v.get("age").asInt() >= 0 && v.get("age").asInt() <= 120, text);
        assertTrue(List.of("cat", "dog").contains(v.get("pet").asText()), text);
    }

    static JsonNode complete(String fields) {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"temperature\":1,\"max_tokens\":200," + fields + "}");
        assertEquals(200, r.status(), r.body());
        return r.json().get("choices").get(0);
    }

    @Test
    void jsonSchemaInEveryForm() throws Exception {
        for (String fields : List.of("\"guided_json\":" + SCHEMA, "\"guided_json\":" + JSON.writeValueAsString(SCHEMA),
                "\"structured_outputs\":{\"json\":" + SCHEMA + "}",
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\",\"schema\":" + SCHEMA + "}}")) {
            for (int seed = 1; seed <= 3; seed++) {
                JsonNode choice = complete(fields + ",\"seed\":" + seed);
                assertEquals("stop", choice.get("finish_reason").asText(), fields);
                assertPerson(choice.get("text").asText());
            }
        }
    }

    @Test
    void regexAndChoice() {
        Pattern date = Pattern.compile("20[0-9]{2}-(0[1-9]|1[0-2])-[0-3][0-9]");
        for (int seed = 1; seed <= 5; seed++) {
            JsonNode r = complete("\"guided_regex\":\"20[0-9]{2}-(0[1-9]|1[0-2])-[0-3][0-9]\",\"seed\":" + seed);
            assertTrue(date.matcher(r.get("text").asText()).matches(), r.get("text").asText());
            JsonNode c = complete("\"guided_choice\":[\"yes\",\"no\",\"maybe later\"],\"seed\":" + seed);
            assertTrue(List.of("yes", "no", "maybe later").contains(c.get("text").asText()), c.get("text").asText());
            assertEquals("stop", c.get("finish_reason").asText());
        }
    }

    @Test
    void streamedChatWithResponseFormat() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Who?\"}],\"chat_template\":\"" + TEMPLATE + "\",\"temperature\":1,"
                + "\"seed\":7,\"max_tokens\":200,\"stream\":true,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\","
                + "\"schema\":" + SCHEMA + "}}}";
        TestServer.Reply r = s.post("/v1/chat/completions", body);
        assertEquals(200, r.status(), r.body());
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String line : r.body().split("\n")) {
            if (!line.startsWith("data: {")) continue;
            JsonNode chunk = JSON.readTree(line.substring(6));
            for (JsonNode c : chunk.path("choices")) {
                text.append(c.path("delta").path("content").asText(""));
                if (!c.path("finish_reason").isNull() && c.has("finish_reason")) finish = c.get("finish_reason").asText();
            }
        }
        assertEquals("stop", finish);
        assertPerson(text.toString());
    }

    @Test
    void badConstraintsAre400s() {
        refused("\"guided_json\":{\"type\":\"integer\",\"multipleOf\":3}", "guided_json", "multipleOf");
        refused("\"guided_regex\":\"(a\"", "guided_regex", "guided_regex");
        refused("\"guided_regex\":\"a\",\"guided_choice\":[\"b\"]", "guided_regex", "only use one kind");
        refused("\"guided_json\":{\"type\":\"object\"},\"ignore_eos\":true", "ignore_eos", "ignore_eos");
        refused("\"guided_grammar\":\"root ::= x\"", "guided_grammar", "guided_grammar");
        TestServer.Reply ok = s.post("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":2}");
        assertEquals(200, ok.status(), "the next valid request succeeds");
    }

    static void refused(String fields, String param, String messagePart) {
        TestServer.Reply r = s.post("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":8," + fields + "}");
        assertEquals(400, r.status(), fields + ": " + r.body());
        JsonNode err = r.json().get("error");
        assertTrue(err.get("message").asText().contains(messagePart), fields + ": " + r.body());
        if (!err.get("param").isNull()) assertEquals(param, err.get("param").asText(), fields + ": " + r.body());
    }
}
