package dev.pagoda.tokenizer.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Jinja2's built-in filters, with transformers' {@code tojson} override. */
final class Filters {
    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern TITLE_SPLIT = Pattern.compile("([-\\s(\\{\\[<]+)", Pattern.UNICODE_CHARACTER_CLASS);

    private static final Object EXHAUSTED = new Object();

    private Filters() {
    }

    private static Object firstOf(List<Object> items) {
        return items.isEmpty() ? EXHAUSTED : items.getFirst();
    }

    static Object apply(String name, Object value, CallArgs a) {
        return switch (name) {
            case "abs" -> {
                a.accept();
                if (!Py.isNumber(value)) {
                    throw new TemplateException("bad operand type for abs(): " + Py.repr(Py.typeName(value)));
                }
                yield value instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(Py.toLong(value));
            }
            case "attr" -> Access.attributeOnly(value, a.accept("name").string(0, "name", null));
            case "batch" -> batch(value, a.accept("linecount", "fill_with"));
            case "capitalize" -> Methods.capitalize(Py.str(value));
            case "center" -> center(Py.str(value), (int) a.accept("width").integer(0, "width", 80));
            case "count", "length" -> Py.len(value);
            case "d", "default" -> {
                a.accept("default_value", "boolean");
                boolean useDefault = value instanceof Undefined || (a.flag(1, "boolean", false) && !Py.truthy(value));
                yield useDefault ? a.get(0, "default_value", "") : value;
            }
            case "dictsort" -> dictsort(value, a.accept("case_sensitive", "by", "reverse"));
            case "e", "escape" -> escape(Py.str(value));
            case "first" -> {
                Object first = value instanceof PyIterator it ? it.next(EXHAUSTED) : firstOf(Py.iterate(value));
                yield first == EXHAUSTED ? Undefined.hint("No first item, sequence was empty.") : first;
            }
            case "float" -> toFloat(value, a.accept("default").get(0, "default", 0.0));
            case "format" -> Operators.format(Py.str(value), a.keyword().isEmpty() ? new PyTuple(a.positional()) : a.keyword());
            case "indent" -> indent(Py.str(value), a.accept("width", "first", "blank"));
            case "int" -> toInt(value, a.accept("default", "base"));
            case "items" -> {
                if (value instanceof Undefined) {
                    yield new PyIterator("generator", List.of());
                }
                if (!(value instanceof Map<?, ?> m)) {
                    throw new TemplateException("Can only get item pairs from a mapping.");
                }
                List<Object> pairs = new ArrayList<>();
                m.forEach((k, v) -> pairs.add(new PyTuple(Arrays.asList(k, v))));
                yield new PyIterator("generator", pairs);
            }
            case "join" -> join(value, a.accept("d", "attribute"));
            case "last" -> last(value);
            case "list" -> Py.iterate(value);
            case "lower" -> Py.str(value).toLowerCase(Locale.ROOT);
            case "upper" -> Py.str(value).toUpperCase(Locale.ROOT);
            case "map" -> map(value, a);
            case "max", "min" -> minMax(value, a.accept("case_sensitive", "attribute"), name.equals("max"));
            case "select", "reject" -> select(value, a, null, name.equals("select"));
            case "selectattr", "rejectattr" -> {
                if (a.positional().isEmpty()) {
                    throw new TemplateException("Missing parameter for attribute name");
                }
                Object attribute = a.positional().getFirst();
                CallArgs rest = new CallArgs(name, a.positional().subList(1, a.positional().size()), a.keyword());
                yield select(value, rest, attribute, name.equals("selectattr"));
            }
            case "replace" -> {
                a.accept("old", "new", "count");
                Object count = a.get(2, "count", null);
                yield Methods.replace(Py.str(value), Py.str(a.required(0, "old")), Py.str(a.required(1, "new")),
                        count == null ? -1 : a.integer(2, "count", -1));
            }
            case "reverse" -> {
                if (value instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                List<Object> items = Py.iterate(value);
                java.util.Collections.reverse(items);
                // reversed() gives an iterator for sequences and dicts; anything else becomes a reversed list.
                boolean reversible = value instanceof List || value instanceof PyTuple || value instanceof Map || value instanceof DictView;
                yield reversible ? new PyIterator("reverseiterator", items) : items;
            }
            case "round" -> round(value, a.accept("precision", "method"));
            case "safe", "string" -> Py.str(value);
            case "sort" -> sort(value, a.accept("reverse", "case_sensitive", "attribute"));
            case "sum" -> sum(value, a.accept("attribute", "start"));
            case "title" -> title(Py.str(value));
            case "tojson" -> {
                a.accept("ensure_ascii", "indent", "separators", "sort_keys");
                yield Json.dumps(value, a.flag(0, "ensure_ascii", false), a.get(1, "indent", null),
                        a.get(2, "separators", null), a.flag(3, "sort_keys", false));
            }
            case "trim" -> Py.strip(Py.str(value), a.accept("chars").string(0, "chars", null));
            case "unique" -> unique(value, a.accept("case_sensitive", "attribute"));
            case "wordcount" -> {
                Matcher m = WORD.matcher(Py.str(value));
                long n = 0;
                while (m.find()) {
                    n++;
                }
                yield n;
            }
            default -> throw new TemplateException("No filter named " + Py.repr(name) + ".");
        };
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Jinja2's title filter: capitalise each chunk after "-", whitespace or an opening bracket. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder();
        Matcher m = TITLE_SPLIT.matcher(s);
        int from = 0;
        while (m.find()) {
            sb.append(titleWord(s.substring(from, m.start()))).append(m.group());
            from = m.end();
        }
        return sb.append(titleWord(s.substring(from))).toString();
    }

    private static String titleWord(String w) {
        if (w.isEmpty()) {
            return w;
        }
        int first = w.codePointAt(0);
        return Character.toString(first).toUpperCase(Locale.ROOT) + w.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
    }

    private static String center(String s, int width) {
        int len = s.codePointCount(0, s.length());
        if (len >= width) {
            return s;
        }
        int margin = width - len;
        int left = margin / 2 + (margin & width & 1); // CPython's split of odd margins
        return " ".repeat(left) + s + " ".repeat(margin - left);
    }

    private static Object batch(Object value, CallArgs a) {
        long size = a.integer(0, "linecount", 0);
        if (size <= 0) {
            throw new TemplateException("batch size must be positive");
        }
        Object fill = a.get(1, "fill_with", null);
        boolean doFill = a.positional().size() > 1 || a.keyword().containsKey("fill_with");
        List<Object> batches = new ArrayList<>();
        List<Object> current = new ArrayList<>();
        for (Object item : Py.iterate(value)) {
            current.add(item);
            if (current.size() == size) {
                batches.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            while (doFill && current.size() < size) {
                current.add(fill);
            }
            batches.add(current);
        }
        return new PyIterator("generator", batches);
    }

    private static Object dictsort(Object value, CallArgs a) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new TemplateException("dictsort: expected a mapping, got " + Py.typeName(value));
        }
        boolean caseSensitive = a.flag(0, "case_sensitive", false);
        String by = a.string(1, "by", "key");
        int pos = switch (by) {
            case "key" -> 0;
            case "value" -> 1;
            default -> throw new TemplateException("You can only sort by either \"key\" or \"value\"");
        };
        List<Object> pairs = new ArrayList<>();
        m.forEach((k, v) -> pairs.add(new PyTuple(Arrays.asList(k, v))));
        Comparator<Object> order = Comparator.comparing(p -> sortKey(((PyTuple) p).items().get(pos), caseSensitive), Filters::compare);
        pairs.sort(a.flag(2, "reverse", false) ? order.reversed() : order);
        return pairs;
    }

    private static Object sortKey(Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    private static int compare(Object x, Object y) {
        return Py.compare(x, y, "<");
    }

    private static Object toFloat(Object value, Object fallback) {
        try {
            return switch (value) {
                case Double d -> d;
                case Long l -> (double) l;
                case Boolean b -> b ? 1.0 : 0.0;
                case String s -> parseFloat(s);
                case null, default -> fallback;
            };
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Python float(str): surrounding whitespace, "_" separators, inf/nan spellings. */
    private static double parseFloat(String s) {
        String t = Py.strip(s, null).toLowerCase(Locale.ROOT);
        String body = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
        double sign = t.startsWith("-") ? -1 : 1;
        if (body.equals("inf") || body.equals("infinity")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (body.equals("nan")) {
            return Double.NaN;
        }
        if (!t.matches("[+-]?((\\d(_?\\d)*)?\\.?\\d(_?\\d)*|\\d(_?\\d)*\\.)(e[+-]?\\d(_?\\d)*)?")) {
            throw new NumberFormatException(s);
        }
        return Double.parseDouble(t.replace("_", ""));
    }

    private static Object toInt(Object value, CallArgs a) {
        Object fallback = a.get(0, "default", 0L);
        long base = a.integer(1, "base", 10);
        return switch (value) {
            case Long l -> l;
            case Boolean b -> b ? 1L : 0L;
            case Double d -> Double.isFinite(d) ? (Object) (long) (double) d : fallback;
            case String s -> {
                String t = Py.strip(s, null).replace("_", "");
                try {
                    yield Long.parseLong(t.startsWith("+") ? t.substring(1) : t, (int) base);
                } catch (NumberFormatException e) {
                    try {
                        yield (long) parseFloat(s); // Jinja2 falls back to int(float(value))
                    } catch (NumberFormatException e2) {
                        yield fallback;
                    }
                }
            }
            case null, default -> fallback;
        };
    }

    private static String indent(String s, CallArgs a) {
        Object width = a.get(0, "width", 4L);
        String indention = width instanceof String w ? w : " ".repeat((int) Py.toLong(width));
        List<String> lines = Methods.splitlines(s + "\n", false); // the "+ \n" mirrors Jinja2's own quirk
        String rv;
        if (a.flag(2, "blank", false)) {
            rv = String.join("\n" + indention, lines);
        } else {
            StringBuilder sb = new StringBuilder(lines.getFirst());
            for (String line : lines.subList(1, lines.size())) {
                sb.append('\n').append(line.isEmpty() ? line : indention + line);
            }
            rv = sb.toString();
        }
        return a.flag(1, "first", false) ? indention + rv : rv;
    }

    private static String join(Object value, CallArgs a) {
        String separator = Py.str(a.get(0, "d", ""));
        Object attribute = a.get(1, "attribute", null);
        StringBuilder sb = new StringBuilder();
        boolean first = true;
        for (Object item : Py.iterate(value)) {
            sb.append(first ? "" : separator).append(Py.str(attribute == null ? item : Access.path(item, attribute)));
            first = false;
        }
        return sb.toString();
    }

    private static Object last(Object value) {
        if (value instanceof PyIterator it) {
            throw new TemplateException(Py.repr(it.typeName()) + " object is not reversible");
        }
        List<Object> items = Py.iterate(value);
        return items.isEmpty() ? Undefined.hint("No last item, sequence was empty.") : items.getLast();
    }

    private static Object map(Object value, CallArgs a) {
        List<Object> items = Py.iterate(value);
        List<Object> out = new ArrayList<>(items.size());
        if (a.positional().isEmpty() && a.keyword().containsKey("attribute")) {
            a.accept("attribute", "default");
            Object attribute = a.keyword().get("attribute");
            boolean hasDefault = a.keyword().containsKey("default");
            for (Object item : items) {
                Object v = Access.path(item, attribute);
                out.add(hasDefault && v instanceof Undefined ? a.keyword().get("default") : v);
            }
        } else {
            if (a.positional().isEmpty()) {
                throw new TemplateException("map requires a filter argument");
            }
            String filter = Py.str(a.positional().getFirst());
            CallArgs rest = new CallArgs(filter, a.positional().subList(1, a.positional().size()), a.keyword());
            for (Object item : items) {
                out.add(apply(filter, item, rest));
            }
        }
        return new PyIterator("generator", out);
    }

    private static Object select(Object value, CallArgs a, Object attribute, boolean keep) {
        Predicate<Object> test;
        if (a.positional().isEmpty()) {
            test = Py::truthy;
        } else {
            String name = Py.str(a.positional().getFirst());
            CallArgs rest = new CallArgs(name, a.positional().subList(1, a.positional().size()), a.keyword());
            test = v -> Tests.apply(name, v, rest);
        }
        List<Object> out = new ArrayList<>();
        for (Object item : Py.iterate(value)) {
            if (test.test(attribute == null ? item : Access.path(item, attribute)) == keep) {
                out.add(item);
            }
        }
        return new PyIterator("generator", out);
    }

    private static Object minMax(Object value, CallArgs a, boolean max) {
        boolean caseSensitive = a.flag(0, "case_sensitive", false);
        Object attribute = a.get(1, "attribute", null);
        Object best = null;
        Object bestKey = null;
        for (Object item : Py.iterate(value)) {
            Object key = sortKey(attribute == null ? item : Access.path(item, attribute), caseSensitive);
            if (bestKey == null || (max ? compare(key, bestKey) > 0 : compare(key, bestKey) < 0)) {
                best = item;
                bestKey = key;
            }
        }
        return bestKey == null ? Undefined.hint("No aggregated item, sequence was empty.") : best;
    }

    private static Object round(Object value, CallArgs a) {
        long precision = a.integer(0, "precision", 0);
        String method = a.string(1, "method", "common");
        if (!method.equals("common") && !method.equals("ceil") && !method.equals("floor")) {
            throw new TemplateException("method must be common, ceil or floor");
        }
        if (!Py.isNumber(value)) {
            throw new TemplateException("type " + Py.typeName(value) + " doesn't define __round__ method");
        }
        if (method.equals("common")) {
            if (Py.isInteger(value)) {
                return Py.toLong(value); // Python: round(int, n) stays an int
            }
            double d = Py.toDouble(value);
            // Python rounds the exact binary value half-to-even, which BigDecimal reproduces.
            return Double.isFinite(d) ? new BigDecimal(d).setScale((int) precision, RoundingMode.HALF_EVEN).doubleValue() : d;
        }
        double scale = Math.pow(10, precision);
        double scaled = Py.toDouble(value) * scale;
        return (method.equals("ceil") ? Math.ceil(scaled) : Math.floor(scaled)) / scale;
    }

    private static Object sort(Object value, CallArgs a) {
        boolean caseSensitive = a.flag(1, "case_sensitive", false);
        Object attribute = a.get(2, "attribute", null);
        List<Object> items = Py.iterate(value);
        Comparator<Object> order = Comparator.comparing(
                item -> sortKey(attribute == null ? item : Access.path(item, attribute), caseSensitive), Filters::compare);
        items.sort(a.flag(0, "reverse", false) ? order.reversed() : order);
        return items;
    }

    private static Object sum(Object value, CallArgs a) {
        Object attribute = a.get(0, "attribute", null);
        Object total = a.get(1, "start", 0L);
        if (total instanceof String) {
            throw new TemplateException("sum() can't sum strings [use ''.join(seq) instead]");
        }
        for (Object item : Py.iterate(value)) {
            total = Operators.binary("+", total, attribute == null ? item : Access.path(item, attribute));
        }
        return total;
    }

    private static Object unique(Object value, CallArgs a) {
        boolean caseSensitive = a.flag(0, "case_sensitive", false);
        Object attribute = a.get(1, "attribute", null);
        Map<Object, Boolean> seen = new LinkedHashMap<>();
        List<Object> out = new ArrayList<>();
        for (Object item : Py.iterate(value)) {
            Object key = sortKey(attribute == null ? item : Access.path(item, attribute), caseSensitive);
            if (seen.keySet().stream().noneMatch(k -> Py.eq(k, key))) {
                seen.put(key, true);
                out.add(item);
            }
        }
        return new PyIterator("generator", out);
    }
}
