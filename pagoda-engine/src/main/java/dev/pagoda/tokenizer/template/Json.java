package dev.pagoda.tokenizer.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps} as transformers' {@code tojson} filter calls it: separators ", " and ": "
 * (or "," plus newline and indent when {@code indent} is set), key order kept unless sorted,
 * non-ASCII kept unless {@code ensure_ascii}.
 */
final class Json {
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final boolean ensureAscii;
    private final StringBuilder out = new StringBuilder();

    private Json(String indent, String itemSeparator, String keySeparator, boolean sortKeys, boolean ensureAscii) {
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
        this.ensureAscii = ensureAscii;
    }

    /**
     * @param indent     null, an int (spaces per level) or a string used per level
     * @param separators null or a 2-item list/tuple (item separator, key separator)
     */
    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys) {
        String indentUnit = switch (indent) {
            case null -> null;
            case String s -> s;
            default -> " ".repeat((int) Math.max(0, Py.toLong(indent)));
        };
        String itemSep = indentUnit == null ? ", " : ",";
        String keySep = ": ";
        if (separators != null) {
            List<Object> parts = Py.iterate(separators);
            if (parts.size() != 2 || !(parts.get(0) instanceof String a) || !(parts.get(1) instanceof String b)) {
                throw new TemplateException("separators must be a pair of strings");
            }
            itemSep = a;
            keySep = b;
        }
        Json json = new Json(indentUnit, itemSep, keySep, sortKeys, ensureAscii);
        json.write(value, 0);
        return json.out.toString();
    }

    private void write(Object v, int level) {
        switch (v) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case Double d -> out.append(number(d));
            case String s -> string(s);
            case List<?> l -> array(l, level);
            case PyTuple t -> array(t.items(), level);
            case Map<?, ?> m -> object(m, level);
            default -> throw new TemplateException("Object of type " + Py.typeName(v) + " is not JSON serializable");
        }
    }

    private static String number(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return Py.floatRepr(d);
    }

    private void array(List<?> items, int level) {
        if (items.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            out.append(i == 0 ? "" : itemSeparator);
            newline(level + 1);
            write(items.get(i), level + 1);
        }
        newline(level);
        out.append(']');
    }

    private void object(Map<?, ?> map, int level) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>();
        map.forEach((k, v) -> entries.add(Map.entry(key(k), v == null ? NULL : v)));
        if (sortKeys) {
            entries.sort((a, b) -> Py.compareCodePoints(a.getKey(), b.getKey()));
        }
        out.append('{');
        for (int i = 0; i < entries.size(); i++) {
            out.append(i == 0 ? "" : itemSeparator);
            newline(level + 1);
            string(entries.get(i).getKey());
            out.append(keySeparator);
            Object value = entries.get(i).getValue();
            write(value == NULL ? null : value, level + 1);
        }
        newline(level);
        out.append('}');
    }

    /** Map.entry rejects null values, so JSON null travels as this marker. */
    private static final Object NULL = new Object();

    /** json.dumps converts str, int, float, bool and None keys to strings and rejects the rest. */
    private static String key(Object k) {
        return switch (k) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> l.toString();
            case Double d -> number(d);
            default -> throw new TemplateException("keys must be str, int, float, bool or None, not " + Py.typeName(k));
        };
    }

    private void newline(int level) {
        if (indent != null) {
            out.append('\n').append(indent.repeat(level));
        }
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
