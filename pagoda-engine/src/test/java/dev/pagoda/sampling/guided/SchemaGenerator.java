package dev.pagoda.sampling.guided;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random JSON Schemas with a bounded language (every string has a length limit, pattern, format or
 * enum; every array a maxItems), so that a random model must reach the end: objects with required
 * and optional properties, arrays, enums and consts, nested objects, strings with patterns and
 * lengths, bounded integers and decimals, booleans, nulls and anyOf/oneOf over disjoint types.
 */
final class SchemaGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> PATTERNS = List.of("[a-z]{1,6}", "\\d{3}-[A-Z]{2}", "(yes|no|maybe)",
            "[A-Z][a-z]{0,4}( [A-Z][a-z]{0,4})?", "#[0-9a-f]{6}", "[^\"\\\\]{1,5}", ".{2,4}", "v\\d\\.\\d{1,2}");
    private static final List<String> WORDS = List.of("alpha", "beta", "gamma", "red", "green", "Zoë", "naïve", "東京",
            "a\"quote", "back\\slash", "tab\there", "");
    private static final List<String> FORMATS = List.of("date", "time", "date-time", "uuid", "ipv4");

    private final SplittableRandom rng;

    SchemaGenerator(long seed) {
        rng = new SplittableRandom(seed);
    }

    ObjectNode next() {
        return object(0);
    }

    private ObjectNode value(int depth) {
        int kind = rng.nextInt(depth >= 2 ? 9 : 11);
        return switch (kind) {
            case 0, 1 -> string();
            case 2 -> integer();
            case 3 -> number();
            case 4 -> type("boolean");
            case 5 -> enumeration();
            case 6 -> rng.nextInt(4) == 0 ? type("null") : constant();
            case 7 -> union();
            case 8 -> rng.nextBoolean() ? string() : integer();
            case 9 -> object(depth + 1);
            default -> array(depth + 1);
        };
    }

    private ObjectNode type(String t) {
        return JSON.createObjectNode().put("type", t);
    }

    private ObjectNode string() {
        ObjectNode s = type("string");
        switch (rng.nextInt(4)) {
            case 0 -> s.put("pattern", PATTERNS.get(rng.nextInt(PATTERNS.size())));
            case 1 -> s.put("format", FORMATS.get(rng.nextInt(FORMATS.size())));
            case 2 -> {
                s.put("pattern", "[a-zA-Z0-9 ]+");
                s.put("minLength", 2).put("maxLength", 2 + rng.nextInt(8));
            }
            default -> {
                int min = rng.nextInt(3);
                if (min > 0) s.put("minLength", min);
                s.put("maxLength", min + rng.nextInt(12));
            }
        }
        return s;
    }

    private ObjectNode integer() {
        ObjectNode s = type("integer");
        int lo = rng.nextInt(-1000, 1000);
        int hi = lo + rng.nextInt(1, 5000);
        switch (rng.nextInt(4)) {
            case 0 -> s.put("minimum", lo).put("maximum", hi);
            case 1 -> s.put("exclusiveMinimum", lo).put("exclusiveMaximum", hi);
            case 2 -> s.put("minimum", lo);
            default -> s.put("maximum", hi);
        }
        return s;
    }

    private ObjectNode number() {
        ObjectNode s = type("number");
        BigDecimal lo = BigDecimal.valueOf(rng.nextInt(-5000, 5000), 2);
        BigDecimal hi = lo.add(BigDecimal.valueOf(rng.nextInt(1, 100000), 3));
        switch (rng.nextInt(3)) {
            case 0 -> s.put("minimum", lo).put("maximum", hi);
            case 1 -> s.put("exclusiveMinimum", lo).put("maximum", hi);
            default -> s.put("minimum", lo).put("exclusiveMaximum", hi);
        }
        return s;
    }

    private ObjectNode enumeration() {
        ObjectNode s = JSON.createObjectNode();
        ArrayNode values = s.putArray("enum");
        int n = 1 + rng.nextInt(4);
        for (int i = 0; i < n; i++) {
            switch (rng.nextInt(3)) {
                case 0 -> values.add(rng.nextInt(-50, 50));
                case 1 -> values.add(rng.nextBoolean() ? BigDecimal.valueOf(rng.nextInt(1000), 2) : null);
                default -> values.add(WORDS.get(rng.nextInt(WORDS.size())));
            }
        }
        if (rng.nextBoolean()) s.put("type", values.get(0).isTextual() ? "string" : values.get(0).isNull() ? "null" : "number");
        if (s.has("type")) {
            ArrayNode kept = JSON.createArrayNode();
            for (var v : values) if (matchesType(v, s.get("type").asText())) kept.add(v);
            s.set("enum", kept);
        }
        return s;
    }

    private static boolean matchesType(com.fasterxml.jackson.databind.JsonNode v, String t) {
        return switch (t) {
            case "string" -> v.isTextual();
            case "null" -> v.isNull();
            default -> v.isNumber();
        };
    }

    private ObjectNode constant() {
        ObjectNode s = JSON.createObjectNode();
        if (rng.nextBoolean()) s.put("const", WORDS.get(rng.nextInt(WORDS.size())));
        else s.put("const", rng.nextInt(100));
        return s;
    }

    /** anyOf/oneOf over branches of different types, so oneOf's "exactly one" holds. */
    private ObjectNode union() {
        ObjectNode s = JSON.createObjectNode();
        ArrayNode branches = s.putArray(rng.nextBoolean() ? "anyOf" : "oneOf");
        branches.add(string());
        if (rng.nextBoolean()) branches.add(integer());
        else branches.add(type("boolean"));
        if (rng.nextBoolean()) branches.add(type("null"));
        return s;
    }

    private ObjectNode object(int depth) {
        ObjectNode s = type("object");
        ObjectNode props = s.putObject("properties");
        ArrayNode required = JSON.createArrayNode();
        int n = 1 + rng.nextInt(depth == 0 ? 5 : 3);
        for (int i = 0; i < n; i++) {
            String name = List.of("id", "name", "age", "tags", "score", "active", "kind", "note", "when", "ratio").get(rng.nextInt(10)) + i;
            props.set(name, value(depth));
            if (rng.nextInt(3) > 0) required.add(name);
        }
        if (!required.isEmpty()) s.set("required", required);
        if (rng.nextBoolean()) s.put("additionalProperties", false);
        return s;
    }

    private ObjectNode array(int depth) {
        ObjectNode s = type("array");
        s.set("items", depth >= 2 || rng.nextBoolean() ? scalar() : value(depth));
        int min = rng.nextInt(3);
        if (min > 0) s.put("minItems", min);
        s.put("maxItems", min + rng.nextInt(4));
        return s;
    }

    private ObjectNode scalar() {
        return switch (rng.nextInt(4)) {
            case 0 -> string();
            case 1 -> integer();
            case 2 -> number();
            default -> enumeration();
        };
    }
}
