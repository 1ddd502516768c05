package dev.pagoda.sampling.guided;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.util.Set;

/** Parses an output strictly as one JSON text and validates it with networknt's JSON Schema validator (formats asserted). */
final class SchemaValidation {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final java.util.Map<JsonNode, JsonSchema> SCHEMAS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

    private SchemaValidation() {
    }

    /** Null if {@code text} is a JSON text valid against {@code schema}; otherwise why not. */
    static String problems(JsonNode schema, String text) {
        JsonNode value;
        try {
            value = STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            return "does not parse: " + e.getOriginalMessage();
        }
        if (value == null) return "empty";
        Set<ValidationMessage> errors = SCHEMAS.computeIfAbsent(schema, s -> FACTORY.getSchema(s, CONFIG)).validate(value);
        return errors.isEmpty() ? null : errors.toString();
    }
}
