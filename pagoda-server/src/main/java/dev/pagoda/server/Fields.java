package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed access to a JSON request body: each read names the field, a wrong type is a 400 naming
 * it, and JSON null counts as absent (as pydantic's optional fields do). Fields never read are
 * reported by {@link #unread} so they can be logged, then ignored, as vLLM does.
 */
public final class Fields {
    private final ObjectNode body;
    private final Set<String> read = new HashSet<>();

    public Fields(JsonNode body) {
        if (body == null || !body.isObject()) throw ApiException.badRequest("The request body must be a JSON object.", null);
        this.body = (ObjectNode) body;
    }

    public ObjectNode body() {
        return body;
    }

    /** The raw node, or null when absent or JSON null. */
    public JsonNode node(String name) {
        read.add(name);
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    public boolean has(String name) {
        return node(name) != null;
    }

    public String string(String name) {
        JsonNode n = node(name);
        if (n == null) return null;
        if (!n.isTextual()) throw wrongType(name, "a string");
        return n.textValue();
    }

    public String requiredString(String name) {
        String s = string(name);
        if (s == null) throw missing(name);
        return s;
    }

    public Boolean bool(String name) {
        JsonNode n = node(name);
        if (n == null) return null;
        if (!n.isBoolean()) throw wrongType(name, "a boolean");
        return n.booleanValue();
    }

    public boolean bool(String name, boolean dflt) {
        Boolean b = bool(name);
        return b != null ? b : dflt;
    }

    public Integer integer(String name) {
        JsonNode n = node(name);
        if (n == null) return null;
        if (!isInteger(n) || !n.canConvertToInt()) throw wrongType(name, "an integer");
        return n.asInt();
    }

    public Long longValue(String name) {
        JsonNode n = node(name);
        if (n == null) return null;
        if (!isInteger(n) || !n.canConvertToLong()) throw wrongType(name, "an integer");
        return n.asLong();
    }

    public Double number(String name) {
        JsonNode n = node(name);
        if (n == null) return null;
        if (!n.isNumber()) throw wrongType(name, "a number");
        return n.asDouble();
    }

    /** A string or a list of strings (as {@code stop}); empty when absent. */
    public List<String> stringOrList(String name) {
        JsonNode n = node(name);
        List<String> out = new ArrayList<>();
        if (n == null) return out;
        if (n.isTextual()) {
            out.add(n.textValue());
            return out;
        }
        if (!n.isArray()) throw wrongType(name, "a string or a list of strings");
        for (JsonNode e : n) {
            if (!e.isTextual()) throw wrongType(name, "a string or a list of strings");
            out.add(e.textValue());
        }
        return out;
    }

    public List<Integer> intList(String name) {
        JsonNode n = node(name);
        List<Integer> out = new ArrayList<>();
        if (n == null) return out;
        if (!n.isArray()) throw wrongType(name, "a list of integers");
        for (JsonNode e : n) {
            if (!isInteger(e) || !e.canConvertToInt()) throw wrongType(name, "a list of integers");
            out.add(e.asInt());
        }
        return out;
    }

    /** The top-level fields the handler never looked at. */
    public List<String> unread() {
        List<String> out = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!read.contains(f)) out.add(f);
        });
        return out;
    }

    private static boolean isInteger(JsonNode n) {
        return n.isIntegralNumber() || (n.isFloatingPointNumber() && n.asDouble() == Math.rint(n.asDouble()));
    }

    public static ApiException wrongType(String name, String expected) {
        return ApiException.badRequest("'" + name + "' must be " + expected + ".", name);
    }

    public static ApiException missing(String name) {
        return ApiException.badRequest("Field required: '" + name + "'.", name);
    }
}
