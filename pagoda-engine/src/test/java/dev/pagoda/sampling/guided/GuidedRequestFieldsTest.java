package dev.pagoda.sampling.guided;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** vLLM's structured-output request fields to one constraint; bad ones name the field. */
class GuidedRequestFieldsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Optional<GuidedSpec> parse(String body) throws Exception {
        return GuidedRequestFields.parse(JSON.readTree(body));
    }

    @Test
    void everyFieldMapsToItsConstraint() throws Exception {
        String schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}";
        GuidedSpec fromObject = parse("{\"guided_json\":" + schema + "}").orElseThrow();
        GuidedSpec fromText = parse("{\"guided_json\":" + JSON.writeValueAsString(schema) + "}").orElseThrow();
        assertEquals(fromObject.key(), fromText.key(), "a schema as an object or as JSON text is the same constraint");
        assertEquals(fromObject.key(), parse("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":" + schema + "}}}").orElseThrow().key());
        assertEquals(fromObject.key(), parse("{\"structured_outputs\":{\"json\":" + schema + "}}").orElseThrow().key());
        assertEquals(new GuidedSpec.Regex("a+"), parse("{\"guided_regex\":\"a+\"}").orElseThrow());
        assertEquals(new GuidedSpec.Regex("a+"), parse("{\"structured_outputs\":{\"regex\":\"a+\"}}").orElseThrow());
        assertEquals(new GuidedSpec.Choice(List.of("x", "y")), parse("{\"guided_choice\":[\"x\",\"y\"]}").orElseThrow());
        assertEquals(new GuidedSpec.Choice(List.of("x")), parse("{\"structured_outputs\":{\"choice\":[\"x\"]}}").orElseThrow());
        assertEquals(new GuidedSpec.JsonObject(), parse("{\"response_format\":{\"type\":\"json_object\"}}").orElseThrow());
        assertEquals(new GuidedSpec.JsonObject(), parse("{\"structured_outputs\":{\"json_object\":true}}").orElseThrow());
        assertTrue(parse("{\"response_format\":{\"type\":\"text\"},\"guided_decoding_backend\":\"outlines\"}").isEmpty());
        assertTrue(parse("{\"prompt\":\"hi\",\"guided_json\":null}").isEmpty());
    }

    @Test
    void badFieldsAreNamed() {
        assertMessage("{\"guided_json\":{},\"guided_regex\":\"a\"}", "guided_json, guided_regex");
        assertMessage("{\"guided_choice\":[]}", "guided_choice must be a non-empty list");
        assertMessage("{\"guided_choice\":[1]}", "guided_choice must be a non-empty list");
        assertMessage("{\"guided_regex\":3}", "guided_regex must be a string");
        assertMessage("{\"guided_json\":\"{not json\"}", "guided_json: invalid JSON schema");
        assertMessage("{\"guided_grammar\":\"root ::= x\"}", "guided_grammar");
        assertMessage("{\"response_format\":{\"type\":\"yaml\"}}", "response_format.type");
        assertMessage("{\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}}", "response_format.json_schema.schema");
        assertMessage("{\"structured_outputs\":{\"grammar\":\"x\"}}", "structured_outputs.grammar");
        assertMessage("{\"structured_outputs\":{\"regex\":\"a\",\"choice\":[\"b\"]}}", "structured_outputs.regex, structured_outputs.choice");
    }

    static void assertMessage(String body, String part) {
        GrammarException e = assertThrows(GrammarException.class, () -> parse(body));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
