package dev.pagoda.sampling.guided;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicAutomata;
import dk.brics.automaton.BasicOperations;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON Schema as the regular language of the JSON texts guided decoding may produce, built
 * with automaton operations (concatenation, union, repetition, and intersection for patterns
 * with lengths, {@code allOf} and keywords beside a combinator or {@code $ref}). Like outlines:
 * properties come in schema order, only listed properties are written (as if
 * {@code additionalProperties} were false), and whitespace is at most one space between tokens.
 * The language is a subset of the valid instances where the schema is not regular: nesting of
 * unconstrained values ({@code {}}, {@code {"type":"object"}}) is limited to {@link #ANY_DEPTH}
 * levels, numbers to the digit caps of {@link DecimalRanges}, {@code oneOf} is read as
 * {@code anyOf} (the branches should be disjoint), and a {@code pattern} must match the whole
 * string. Keywords that would need more ({@code multipleOf}, {@code uniqueItems},
 * {@code patternProperties}, recursion, ...) are a {@link GrammarException} naming the keyword.
 */
final class JsonSchemaCompiler {
    /** Nesting levels of objects and arrays allowed inside an unconstrained value. */
    static final int ANY_DEPTH = 3;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> UNSUPPORTED = Set.of("multipleOf", "contains", "minContains", "maxContains",
            "patternProperties", "propertyNames", "dependentRequired", "dependentSchemas", "dependencies", "if", "then",
            "else", "not", "minProperties", "maxProperties", "unevaluatedProperties", "unevaluatedItems", "$dynamicRef",
            "$recursiveRef");
    private static final Automaton WS = BasicAutomata.makeChar(' ').optional();
    private static final Automaton[] ANY = new Automaton[ANY_DEPTH + 1];

    private final JsonNode root;
    private final Deque<String> refs = new ArrayDeque<>();

    private JsonSchemaCompiler(JsonNode root) {
        this.root = root;
    }

    /** The JSON texts (UTF-8 bytes) the schema allows. Not thread-safe: callers hold {@link GrammarCompiler}'s lock. */
    static Automaton compile(JsonNode schema) {
        return new JsonSchemaCompiler(schema).value(schema, "#");
    }

    /** Any JSON object ({@code response_format} json_object), nested at most {@link #ANY_DEPTH} levels. */
    static Automaton anyObject() {
        return object(JsonStrings.string(0, -1), any(ANY_DEPTH - 1));
    }

    private Automaton value(JsonNode s, String path) {
        if (s.isBoolean()) {
            if (s.booleanValue()) return any(ANY_DEPTH);
            throw new GrammarException("schema false at " + path + " allows no value");
        }
        if (!s.isObject()) throw new GrammarException("invalid schema at " + path + ": expected an object or a boolean");
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (UNSUPPORTED.contains(k)) throw GrammarException.unsupported("JSON Schema keyword '" + k + "'", path);
        }
        if (s.path("uniqueItems").asBoolean(false)) throw GrammarException.unsupported("JSON Schema keyword 'uniqueItems'", path);
        List<Automaton> all = new ArrayList<>();
        if (s.has("$ref")) all.add(ref(s.get("$ref").asText(), path));
        if (s.has("enum") || s.has("const")) {
            all.add(literals(s, path));
        } else {
            Automaton typed = typed(s, path);
            if (typed != null) all.add(typed);
        }
        if (s.has("allOf")) {
            int i = 0;
            for (JsonNode branch : array(s, "allOf", path)) all.add(value(branch, path + "/allOf/" + i++));
        }
        for (String key : List.of("anyOf", "oneOf")) {
            if (!s.has(key)) continue;
            List<Automaton> branches = new ArrayList<>();
            int i = 0;
            for (JsonNode branch : array(s, key, path)) branches.add(value(branch, path + "/" + key + "/" + i++));
            all.add(BasicOperations.union(branches));
        }
        if (all.isEmpty()) return any(ANY_DEPTH);
        Automaton a = all.getFirst();
        for (int i = 1; i < all.size(); i++) a = a.intersection(all.get(i));
        Minimizer.shrink(a);
        if (a.isEmpty()) throw new GrammarException("schema at " + path + " allows no value guided decoding can write (its parts exclude each other)");
        return a;
    }

    private static JsonNode array(JsonNode s, String key, String path) {
        JsonNode a = s.get(key);
        if (!a.isArray() || a.isEmpty()) throw new GrammarException("invalid schema at " + path + ": '" + key + "' must be a non-empty array");
        return a;
    }

    private Automaton ref(String ref, String path) {
        if (!ref.startsWith("#")) throw GrammarException.unsupported("remote $ref '" + ref + "'", path);
        if (refs.contains(ref)) throw GrammarException.unsupported("recursive $ref '" + ref + "'", path);
        JsonNode target = root.at(ref.substring(1));
        if (target.isMissingNode()) throw new GrammarException("$ref '" + ref + "' at " + path + " points nowhere");
        refs.push(ref);
        try {
            return value(target, ref);
        } finally {
            refs.pop();
        }
    }

    /** enum / const: exactly the listed values, written compactly. */
    private static Automaton literals(JsonNode s, String path) {
        List<JsonNode> values = new ArrayList<>();
        if (s.has("const")) values.add(s.get("const"));
        if (s.has("enum")) s.get("enum").forEach(values::add);
        if (values.isEmpty()) throw new GrammarException("invalid schema at " + path + ": empty enum");
        List<Automaton> parts = new ArrayList<>();
        for (JsonNode v : values) parts.add(Utf8Automata.literal(write(v)));
        Automaton a = BasicOperations.union(parts);
        if (s.has("const") && s.has("enum")) a = a.intersection(Utf8Automata.literal(write(s.get("const"))));
        return a;
    }

    private static String write(JsonNode v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The type-specific keywords; null if the schema names no type and has none of them. */
    private Automaton typed(JsonNode s, String path) {
        Set<String> types = new LinkedHashSet<>();
        JsonNode t = s.get("type");
        if (t != null) {
            if (t.isArray()) t.forEach(x -> types.add(x.asText()));
            else types.add(t.asText());
        } else {
            if (has(s, "properties", "required", "additionalProperties")) types.add("object");
            if (has(s, "items", "prefixItems", "minItems", "maxItems")) types.add("array");
            if (has(s, "pattern", "minLength", "maxLength", "format")) types.add("string");
            if (has(s, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) types.add("number");
            if (types.isEmpty()) return null;
        }
        List<Automaton> parts = new ArrayList<>();
        for (String type : types) {
            parts.add(switch (type) {
                case "string" -> string(s, path);
                case "integer" -> DecimalRanges.integers(lower(s), upper(s), path);
                case "number" -> DecimalRanges.numbers(lower(s), upper(s), path);
                case "boolean" -> Utf8Automata.literal("true").union(Utf8Automata.literal("false"));
                case "null" -> Utf8Automata.literal("null");
                case "object" -> object(s, path);
                case "array" -> array(s, path);
                default -> throw new GrammarException("invalid schema at " + path + ": unknown type '" + type + "'");
            });
        }
        return BasicOperations.union(parts);
    }

    private static boolean has(JsonNode s, String... keys) {
        for (String k : keys) if (s.has(k)) return true;
        return false;
    }

    private static Automaton string(JsonNode s, String path) {
        int min = count(s, "minLength", 0, path);
        int max = count(s, "maxLength", -1, path);
        if (max >= 0 && max < min) throw new GrammarException("maxLength below minLength at " + path);
        Automaton a;
        if (s.has("pattern")) {
            a = JsonStrings.pattern(s.get("pattern").asText(), min, max);
        } else {
            a = JsonStrings.string(min, max);
        }
        if (s.has("format")) {
            String f = s.get("format").asText();
            Automaton format = JsonStrings.format(f);
            if (format == null) throw GrammarException.unsupported("string format '" + f + "' (supported: " + String.join(", ", JsonStrings.FORMATS.keySet().stream().sorted().toList()) + ")", path);
            a = a.intersection(format);
        }
        return a;
    }

    private static int count(JsonNode s, String key, int absent, String path) {
        JsonNode v = s.get(key);
        if (v == null) return absent;
        if (!v.canConvertToInt() || v.asInt() < 0) throw new GrammarException("invalid schema at " + path + ": '" + key + "' must be a non-negative integer");
        if (v.asInt() > RegexParser.MAX_REPEAT) throw GrammarException.unsupported("'" + key + "' above " + RegexParser.MAX_REPEAT, path);
        return v.asInt();
    }

    /** The tighter of minimum and exclusiveMinimum (a number, or draft 4's boolean flag). */
    private static DecimalRanges.Bound lower(JsonNode s) {
        return bound(s, "minimum", "exclusiveMinimum", true);
    }

    private static DecimalRanges.Bound upper(JsonNode s) {
        return bound(s, "maximum", "exclusiveMaximum", false);
    }

    private static DecimalRanges.Bound bound(JsonNode s, String inclusiveKey, String exclusiveKey, boolean lower) {
        JsonNode inc = s.get(inclusiveKey);
        JsonNode exc = s.get(exclusiveKey);
        DecimalRanges.Bound b = null;
        if (inc != null && inc.isNumber()) b = new DecimalRanges.Bound(inc.decimalValue(), exc != null && exc.isBoolean() && exc.booleanValue());
        if (exc != null && exc.isNumber()) {
            DecimalRanges.Bound e = new DecimalRanges.Bound(exc.decimalValue(), true);
            if (b == null) return e;
            int c = e.value().compareTo(b.value());
            boolean tighter = lower ? c >= 0 : c <= 0;
            if (tighter) b = e;
        }
        return b;
    }

    private Automaton object(JsonNode s, String path) {
        JsonNode props = s.get("properties");
        Set<String> required = new HashSet<>();
        s.path("required").forEach(r -> required.add(r.asText()));
        if (props == null || props.isEmpty()) {
            if (!required.isEmpty()) {
                throw GrammarException.unsupported("'required' without matching 'properties' (" + String.join(", ", required) + ")", path);
            }
            JsonNode extra = s.get("additionalProperties");
            if (extra != null && extra.isBoolean() && !extra.booleanValue()) return enclose('{', BasicAutomata.makeEmpty(), true, '}');
            Automaton values = extra == null || extra.isBoolean() ? any(ANY_DEPTH - 1) : value(extra, path + "/additionalProperties");
            return object(JsonStrings.string(0, -1), values);
        }
        if (!props.isObject()) throw new GrammarException("invalid schema at " + path + ": 'properties' must be an object");
        for (String r : required) {
            if (!props.has(r)) throw GrammarException.unsupported("required property '" + r + "' missing from 'properties'", path);
        }
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        props.fields().forEachRemaining(entries::add);
        int n = entries.size();
        Automaton[] member = new Automaton[n];
        for (int i = 0; i < n; i++) {
            String name = entries.get(i).getKey();
            Automaton v = value(entries.get(i).getValue(), path + "/properties/" + name);
            member[i] = Utf8Automata.literal(write(JSON.getNodeFactory().textNode(name)))
                    .concatenate(WS).concatenate(BasicAutomata.makeChar(':')).concatenate(WS).concatenate(v);
        }
        // afterFirst: members i.. when one was written already (each needs a comma);
        // fromStart: at least one of members i.. when none was written yet.
        Automaton comma = WS.concatenate(BasicAutomata.makeChar(',')).concatenate(WS);
        Automaton afterFirst = BasicAutomata.makeEmptyString();
        Automaton fromStart = BasicAutomata.makeEmpty();
        boolean allOptional = true;
        for (int i = n - 1; i >= 0; i--) {
            boolean req = required.contains(entries.get(i).getKey());
            allOptional &= !req;
            Automaton first = member[i].concatenate(afterFirst);
            fromStart = req ? first : first.union(fromStart);
            Automaton later = comma.concatenate(member[i]);
            afterFirst = (req ? later : later.optional()).concatenate(afterFirst);
            Minimizer.shrink(afterFirst);
        }
        return enclose('{', fromStart, allOptional, '}');
    }

    /**
     * {@code open body close} with at most one space inside each end: {@code open WS (body WS)? close},
     * the body optional if it {@code mayBeEmpty} (so "{  }" cannot have two spaces).
     */
    private static Automaton enclose(char open, Automaton nonEmptyBody, boolean mayBeEmpty, char close) {
        Automaton inner = nonEmptyBody.concatenate(WS);
        if (mayBeEmpty) inner = inner.optional();
        return BasicAutomata.makeChar(open).concatenate(WS).concatenate(inner).concatenate(BasicAutomata.makeChar(close));
    }

    /** Objects with any keys in {@code keys} and values in {@code values}. */
    private static Automaton object(Automaton keys, Automaton values) {
        Automaton member = keys.concatenate(WS).concatenate(BasicAutomata.makeChar(':')).concatenate(WS).concatenate(values);
        Automaton members = member.concatenate(WS.concatenate(BasicAutomata.makeChar(',')).concatenate(WS).concatenate(member).repeat());
        return enclose('{', members, true, '}');
    }

    private Automaton array(JsonNode s, String path) {
        int min = count(s, "minItems", 0, path);
        int max = count(s, "maxItems", -1, path);
        if (max >= 0 && max < min) throw new GrammarException("maxItems below minItems at " + path);
        JsonNode items = s.get("items");
        JsonNode tuple = s.has("prefixItems") ? s.get("prefixItems") : items != null && items.isArray() ? items : null;
        Automaton sep = WS.concatenate(BasicAutomata.makeChar(',')).concatenate(WS);
        if (tuple != null) {
            // Exactly the prefix items (up to maxItems): the output never needs items past them.
            int k = max >= 0 ? Math.min(tuple.size(), max) : tuple.size();
            if (min > k) throw GrammarException.unsupported("minItems beyond the tuple's items", path);
            String key = s.has("prefixItems") ? "prefixItems" : "items";
            Automaton body = BasicAutomata.makeEmpty();
            for (int i = 0; i < k; i++) {
                Automaton v = value(tuple.get(i), path + "/" + key + "/" + i);
                body = i == 0 ? v : body.concatenate(sep).concatenate(v);
            }
            return enclose('[', body, k == 0, ']');
        }
        if (max == 0) return enclose('[', BasicAutomata.makeEmpty(), true, ']');
        Automaton v = items == null ? any(ANY_DEPTH - 1) : value(items, path + "/items");
        Minimizer.shrink(v);
        Automaton more = sep.concatenate(v);
        Automaton rest = Repetition.of(more, Math.max(min - 1, 0), max < 0 ? -1 : max - 1);
        return enclose('[', v.concatenate(rest), min == 0, ']');
    }

    /** Any JSON value with objects and arrays nested at most {@code depth} levels. */
    private static Automaton any(int depth) {
        if (ANY[depth] == null) {
            List<Automaton> parts = new ArrayList<>(List.of(JsonStrings.string(0, -1), DecimalRanges.anyNumber(),
                    Utf8Automata.literal("true"), Utf8Automata.literal("false"), Utf8Automata.literal("null")));
            if (depth > 0) {
                Automaton inner = any(depth - 1);
                Automaton sep = WS.concatenate(BasicAutomata.makeChar(',')).concatenate(WS);
                Automaton elements = inner.concatenate(sep.concatenate(inner).repeat());
                parts.add(enclose('[', elements, true, ']'));
                parts.add(object(JsonStrings.string(0, -1), inner));
            }
            Automaton a = BasicOperations.union(parts);
            Minimizer.shrink(a);
            ANY[depth] = a;
        }
        return ANY[depth];
    }

    /** The schema from its JSON text; a GrammarException if it does not parse. */
    static JsonNode parse(String schema) {
        try {
            JsonNode n = JSON.readTree(schema);
            if (n == null || !(n.isObject() || n.isBoolean())) throw new GrammarException("invalid JSON schema: expected an object");
            return n;
        } catch (JsonProcessingException e) {
            throw new GrammarException("invalid JSON schema: " + e.getOriginalMessage());
        }
    }
}
