package dev.pagoda.sampling.guided;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a request body's structured-output fields, with vLLM's names, into one {@link GuidedSpec}:
 * the deployment guides' {@code guided_json} (schema object or JSON text), {@code guided_regex},
 * {@code guided_choice}; OpenAI's {@code response_format} ({@code text}, {@code json_object},
 * {@code json_schema} with {@code json_schema.schema}); and current vLLM's
 * {@code structured_outputs} object ({@code json}, {@code regex}, {@code choice},
 * {@code json_object}). At most one constraint may be given; {@code guided_decoding_backend} is
 * accepted and ignored (there is one backend). A bad or conflicting field is a
 * {@link GrammarException} (HTTP 400) naming it.
 */
public final class GuidedRequestFields {
    private GuidedRequestFields() {
    }

    /** The request's constraint, if any. Compiling it may still fail (also a GrammarException). */
    public static Optional<GuidedSpec> parse(JsonNode body) {
        Map<String, GuidedSpec> found = new LinkedHashMap<>();
        rejectUnsupported(body, "guided_grammar", "guided_grammar (context-free grammars) is not supported; use guided_json, guided_regex or guided_choice");
        rejectUnsupported(body, "guided_whitespace_pattern", "guided_whitespace_pattern is not supported: JSON whitespace is at most one space between tokens");
        put(found, "guided_json", json(body.get("guided_json"), "guided_json"));
        put(found, "guided_regex", regex(body.get("guided_regex"), "guided_regex"));
        put(found, "guided_choice", choice(body.get("guided_choice"), "guided_choice"));
        put(found, "response_format", responseFormat(body.get("response_format")));
        JsonNode so = body.get("structured_outputs");
        if (present(so)) {
            if (!so.isObject()) throw new GrammarException("structured_outputs must be an object");
            rejectUnsupported(so, "grammar", "structured_outputs.grammar (context-free grammars) is not supported; use json, regex or choice");
            rejectUnsupported(so, "structural_tag", "structured_outputs.structural_tag is not supported");
            put(found, "structured_outputs.json", json(so.get("json"), "structured_outputs.json"));
            put(found, "structured_outputs.regex", regex(so.get("regex"), "structured_outputs.regex"));
            put(found, "structured_outputs.choice", choice(so.get("choice"), "structured_outputs.choice"));
            JsonNode jo = so.get("json_object");
            if (present(jo)) {
                if (!jo.isBoolean()) throw new GrammarException("structured_outputs.json_object must be a boolean");
                if (jo.booleanValue()) put(found, "structured_outputs.json_object", new GuidedSpec.JsonObject());
            }
        }
        if (found.size() > 1) {
            throw new GrammarException("You can only use one kind of structured output constraint, but several were given: "
                    + String.join(", ", found.keySet()));
        }
        return found.values().stream().findFirst();
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull();
    }

    private static void put(Map<String, GuidedSpec> found, String field, GuidedSpec spec) {
        if (spec != null) found.put(field, spec);
    }

    private static void rejectUnsupported(JsonNode body, String field, String message) {
        if (present(body.get(field))) throw new GrammarException(message);
    }

    private static GuidedSpec json(JsonNode n, String field) {
        if (!present(n)) return null;
        if (n.isTextual()) {
            try {
                JsonSchemaCompiler.parse(n.textValue());
            } catch (GrammarException e) {
                throw new GrammarException(field + ": " + e.getMessage());
            }
            return new GuidedSpec.JsonSchema(n.textValue());
        }
        if (n.isObject() || n.isBoolean()) return GuidedSpec.JsonSchema.of(n);
        throw new GrammarException(field + " must be a JSON Schema object or its JSON text");
    }

    private static GuidedSpec regex(JsonNode n, String field) {
        if (!present(n)) return null;
        if (!n.isTextual()) throw new GrammarException(field + " must be a string");
        return new GuidedSpec.Regex(n.textValue());
    }

    private static GuidedSpec choice(JsonNode n, String field) {
        if (!present(n)) return null;
        if (!n.isArray() || n.isEmpty()) throw new GrammarException(field + " must be a non-empty list of strings");
        List<String> choices = new ArrayList<>();
        for (JsonNode c : n) {
            if (!c.isTextual()) throw new GrammarException(field + " must be a non-empty list of strings");
            choices.add(c.textValue());
        }
        return new GuidedSpec.Choice(choices);
    }

    private static GuidedSpec responseFormat(JsonNode n) {
        if (!present(n)) return null;
        String type = n.path("type").asText("");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> new GuidedSpec.JsonObject();
            case "json_schema" -> {
                JsonNode schema = n.path("json_schema").get("schema");
                if (!present(schema)) throw new GrammarException("response_format.json_schema.schema is required for type json_schema");
                yield json(schema, "response_format.json_schema.schema");
            }
            case "structural_tag" -> throw new GrammarException("response_format type structural_tag is not supported");
            default -> throw new GrammarException("response_format.type must be one of text, json_object, json_schema; got '" + type + "'");
        };
    }
}
