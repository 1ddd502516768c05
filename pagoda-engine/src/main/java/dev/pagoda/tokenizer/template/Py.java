package dev.pagoda.tokenizer.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Python value semantics over plain Java values: None=null, bool=Boolean, int=Long, float=Double,
 * str=String, list=List, dict=Map (insertion ordered). Covers truthiness, str()/repr(), ==, ordering,
 * len() and iteration, so templates print and compare exactly as under CPython.
 */
final class Py {
    private Py() {
    }

    /** Converts values as Jackson (or a caller) builds them into the canonical types above. */
    static Object normalize(Object v) {
        return switch (v) {
            case null -> null;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case BigInteger b -> {
                if (b.bitLength() > 63) {
                    throw new TemplateException("integer too large for a chat template: " + b);
                }
                yield b.longValue();
            }
            case Float f -> (double) f;
            case BigDecimal d -> d.doubleValue();
            case Character c -> c.toString();
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, val) -> out.put(normalize(k), normalize(val)));
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>(c.size());
                c.forEach(x -> out.add(normalize(x)));
                yield out;
            }
            case Object[] a -> normalize(List.of(a));
            default -> v;
        };
    }

    // ---- whitespace (Python's str.isspace) ----

    static boolean isWhitespace(int c) {
        return Character.isWhitespace(c) || c == 0x85 || c == 0xA0 || c == 0x2007 || c == 0x202F;
    }

    static boolean isAllWhitespace(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean stripped(String chars, int cp) {
        return chars == null ? isWhitespace(cp) : chars.indexOf(cp) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && stripped(chars, s.codePointAt(i))) {
            i += Character.charCount(s.codePointAt(i));
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && stripped(chars, s.codePointBefore(j))) {
            j -= Character.charCount(s.codePointBefore(j));
        }
        return s.substring(0, j);
    }

    static String strip(String s, String chars) {
        return lstrip(rstrip(s, chars), chars);
    }

    // ---- truthiness, length, iteration ----

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case PyTuple t -> !t.items().isEmpty();
            case DictView d -> !d.items().isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    static long len(Object v) {
        return switch (v) {
            case String s -> s.codePointCount(0, s.length());
            case List<?> l -> l.size();
            case Map<?, ?> m -> m.size();
            case PyTuple t -> t.items().size();
            case DictView d -> d.items().size();
            case Undefined u -> 0;
            case null, default -> throw new TemplateException("object of type " + repr(typeName(v)) + " has no len()");
        };
    }

    /** Python iter(): strings yield code points, dicts their keys; iterators are consumed. */
    static List<Object> iterate(Object v) {
        return switch (v) {
            case String s -> {
                List<Object> out = new ArrayList<>();
                s.codePoints().forEach(cp -> out.add(Character.toString(cp)));
                yield out;
            }
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case PyTuple t -> t.items();
            case DictView d -> d.items();
            case PyIterator it -> it.drain();
            case Undefined u -> List.of();
            case null, default -> throw new TemplateException(repr(typeName(v)) + " object is not iterable");
        };
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isInteger(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long toLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double toDouble(Object v) {
        return v instanceof Double d ? d : toLong(v);
    }

    // ---- type names ----

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case PyTuple t -> "tuple";
            case DictView d -> d.typeName();
            case PyIterator it -> it.typeName();
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopContext l -> "LoopContext";
            case Macro m -> "Macro";
            default -> "function";
        };
    }

    /** Jinja2's object_type_repr, used in "'dict object' has no attribute 'x'". */
    static String objectTypeRepr(Object v) {
        return switch (v) {
            case null -> "None";
            case Namespace n -> "jinja2.utils.Namespace object";
            case LoopContext l -> "jinja2.runtime.LoopContext object";
            case Macro m -> "jinja2.runtime.Macro object";
            default -> typeName(v) + " object";
        };
    }

    // ---- str() and repr() ----

    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Undefined u -> "";
            default -> repr(v);
        };
    }

    static String repr(Object v) {
        return switch (v) {
            case null -> "None";
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case String s -> reprString(s);
            case List<?> l -> "[" + joinRepr(l) + "]";
            case PyTuple t -> "(" + joinRepr(t.items()) + (t.items().size() == 1 ? ",)" : ")");
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                m.forEach((k, val) -> sb.append(sb.length() > 1 ? ", " : "").append(repr(k)).append(": ").append(repr(val)));
                yield sb.append('}').toString();
            }
            case DictView d -> d.typeName() + "([" + joinRepr(d.items()) + "])";
            case Namespace n -> "<Namespace " + repr(n.attributes) + ">";
            case Undefined u -> "Undefined";
            default -> v.toString();
        };
    }

    private static String joinRepr(List<?> items) {
        StringBuilder sb = new StringBuilder();
        for (Object o : items) {
            sb.append(sb.isEmpty() ? "" : ", ").append(repr(o));
        }
        return sb.toString();
    }

    private static String reprString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder(s.length() + 2).append(quote);
        s.codePoints().forEach(cp -> {
            if (cp == quote || cp == '\\') {
                sb.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (isPrintable(cp)) {
                sb.appendCodePoint(cp);
            } else if (cp <= 0xFF) {
                sb.append(String.format("\\x%02x", cp));
            } else if (cp <= 0xFFFF) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.append(String.format("\\U%08x", cp));
            }
        });
        return sb.append(quote).toString();
    }

    /** Python's str.isprintable for one code point. */
    private static boolean isPrintable(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python's float repr: shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        // Java's Double.toString yields the shortest uniquely identifying digits, as Python's repr does.
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int point = digits.length() - bd.scale(); // value = 0.<digits> * 10^point
        String sign = d < 0 ? "-" : "";
        if (point > 16 || point < -3) {
            int exp = point - 1;
            String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
            return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        if (point <= 0) {
            return sign + "0." + "0".repeat(-point) + digits;
        }
        if (point >= digits.length()) {
            return sign + digits + "0".repeat(point - digits.length()) + ".0";
        }
        return sign + digits.substring(0, point) + "." + digits.substring(point);
    }

    // ---- comparison ----

    /** Python ==. Undefined equals only Undefined, 1 == 1.0 == True, list != tuple. */
    static boolean eq(Object a, Object b) {
        if (a instanceof Undefined || b instanceof Undefined) {
            return a instanceof Undefined && b instanceof Undefined;
        }
        if (isNumber(a) && isNumber(b)) {
            return isInteger(a) && isInteger(b) ? toLong(a) == toLong(b) : toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            return listEq(x, y);
        }
        if (a instanceof PyTuple x && b instanceof PyTuple y) {
            return listEq(x.items(), y.items());
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !eq(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a == null ? b == null : a.equals(b);
    }

    private static boolean listEq(List<?> x, List<?> y) {
        if (x.size() != y.size()) {
            return false;
        }
        for (int i = 0; i < x.size(); i++) {
            if (!eq(x.get(i), y.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** Python ordering for {@code op} (one of &lt; &lt;= &gt; &gt;=); TypeError for unorderable operands. */
    static int compare(Object a, Object b, String op) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        if (isNumber(a) && isNumber(b)) {
            return isInteger(a) && isInteger(b) ? Long.compare(toLong(a), toLong(b)) : Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return compareCodePoints(x, y);
        }
        List<?> x = a instanceof PyTuple t ? t.items() : a instanceof List<?> l && !(b instanceof PyTuple) ? l : null;
        List<?> y = b instanceof PyTuple t ? t.items() : b instanceof List<?> l && !(a instanceof PyTuple) ? l : null;
        if (x != null && y != null) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), op);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw new TemplateException("'" + op + "' not supported between instances of "
                + repr(typeName(a)) + " and " + repr(typeName(b)));
    }

    /** Python compares strings by code point; Java's compareTo compares UTF-16 units. */
    static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Integer.compare(x.length() - i, y.length() - j);
    }

    /** Python's {@code in} operator. */
    static boolean contains(Object container, Object item) {
        switch (container) {
            case String s -> {
                if (!(item instanceof String sub)) {
                    throw new TemplateException("'in <string>' requires string as left operand, not " + typeName(item));
                }
                return s.contains(sub);
            }
            case Map<?, ?> m -> {
                return m.containsKey(item) || m.keySet().stream().anyMatch(k -> eq(k, item));
            }
            case List<?> l -> {
                return l.stream().anyMatch(x -> eq(x, item));
            }
            case Undefined u -> {
                return false;
            }
            case null, default -> {
                if (container instanceof PyTuple || container instanceof DictView || container instanceof PyIterator) {
                    return iterate(container).stream().anyMatch(x -> eq(x, item));
                }
                throw new TemplateException("argument of type " + repr(typeName(container)) + " is not iterable");
            }
        }
    }

    // ---- code point indexing (Python str indexes code points, Java strings UTF-16 units) ----

    static int[] codePoints(String s) {
        return s.codePoints().toArray();
    }
}
