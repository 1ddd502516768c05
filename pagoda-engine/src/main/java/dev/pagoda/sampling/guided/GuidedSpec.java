package dev.pagoda.sampling.guided;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * What a request constrains its output to: vLLM's {@code guided_json} / {@code json_schema}
 * response format, {@code json_object}, {@code guided_regex} or {@code guided_choice}.
 */
public sealed interface GuidedSpec {
    /** The cache key: equal keys compile to the same grammar. */
    String key();

    /** Output that is a JSON text valid against the schema (given as JSON text). */
    record JsonSchema(String schema) implements GuidedSpec {
        public static JsonSchema of(JsonNode schema) {
            return new JsonSchema(schema.toString());
        }

        @Override
        public String key() {
            return "json:" + JsonSchemaCompiler.parse(schema);
        }
    }

    /** Output that is any JSON object. */
    record JsonObject() implements GuidedSpec {
        @Override
        public String key() {
            return "json_object";
        }
    }

    /** Output that the regex matches in full. */
    record Regex(String pattern) implements GuidedSpec {
        @Override
        public String key() {
            return "regex:" + pattern;
        }
    }

    /** Output that is exactly one of the strings. */
    record Choice(List<String> choices) implements GuidedSpec {
        public Choice {
            choices = List.copyOf(choices);
        }

        @Override
        public String key() {
            StringBuilder b = new StringBuilder("choice:");
            for (String c : choices) b.append(c.length()).append(':').append(c);
            return b.toString();
        }
    }
}
