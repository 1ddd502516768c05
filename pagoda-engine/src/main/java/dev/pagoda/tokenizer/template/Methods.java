package dev.pagoda.tokenizer.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Python methods templates call on values: {@code str.strip/split/startswith/...},
 * {@code dict.items/keys/values/get} and {@code list.index/count}. Mutating methods exist in Python
 * but are blocked by the immutable sandbox, so they resolve to an "unsafe" undefined.
 */
final class Methods {
    private static final Set<String> UNSAFE_LIST = Set.of("append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear");
    private static final Set<String> UNSAFE_DICT = Set.of("pop", "popitem", "setdefault", "update", "clear");

    private Methods() {
    }

    /** The bound method {@code obj.name}, an unsafe-undefined, or null when the type has no such method. */
    static Object lookup(Object obj, String name) {
        if ((obj instanceof List && UNSAFE_LIST.contains(name)) || (obj instanceof Map && UNSAFE_DICT.contains(name))) {
            return Undefined.hint("access to attribute " + Py.repr(name) + " of " + Py.repr(Py.typeName(obj))
                    + " object is unsafe.");
        }
        return switch (obj) {
            case String s -> stringMethod(s, name);
            case Map<?, ?> m -> dictMethod(m, name);
            case List<?> l -> sequenceMethod(l, name);
            case PyTuple t -> sequenceMethod(t.items(), name);
            case null, default -> null;
        };
    }

    private static JinjaCallable dictMethod(Map<?, ?> m, String name) {
        return switch (name) {
            case "items" -> (args, kw) -> {
                List<Object> items = new ArrayList<>();
                m.forEach((k, v) -> items.add(new PyTuple(java.util.Arrays.asList(k, v))));
                return new DictView("dict_items", items);
            };
            case "keys" -> (args, kw) -> new DictView("dict_keys", new ArrayList<>(m.keySet()));
            case "values" -> (args, kw) -> new DictView("dict_values", new ArrayList<>(m.values()));
            case "get" -> (args, kw) -> {
                CallArgs a = new CallArgs("get", args, kw).accept("key", "default");
                Object key = a.required(0, "key");
                return m.containsKey(key) ? m.get(key) : a.get(1, "default", null);
            };
            default -> null;
        };
    }

    private static JinjaCallable sequenceMethod(List<?> l, String name) {
        return switch (name) {
            case "count" -> (args, kw) -> l.stream().filter(x -> Py.eq(x, new CallArgs("count", args, kw).required(0, "value"))).count();
            case "index" -> (args, kw) -> {
                Object value = new CallArgs("index", args, kw).required(0, "value");
                for (int i = 0; i < l.size(); i++) {
                    if (Py.eq(l.get(i), value)) {
                        return (long) i;
                    }
                }
                throw new TemplateException(Py.repr(value) + " is not in list");
            };
            default -> null;
        };
    }

    private static JinjaCallable stringMethod(String s, String name) {
        return switch (name) {
            case "strip", "lstrip", "rstrip" -> (args, kw) -> {
                String chars = new CallArgs(name, args, kw).accept("chars").string(0, "chars", null);
                return name.equals("strip") ? Py.strip(s, chars) : name.equals("lstrip") ? Py.lstrip(s, chars) : Py.rstrip(s, chars);
            };
            case "split", "rsplit" -> (args, kw) -> {
                CallArgs a = new CallArgs(name, args, kw).accept("sep", "maxsplit");
                return split(s, a.string(0, "sep", null), a.integer(1, "maxsplit", -1), name.equals("rsplit"));
            };
            case "splitlines" -> (args, kw) -> new ArrayList<Object>(
                    splitlines(s, new CallArgs(name, args, kw).accept("keepends").flag(0, "keepends", false)));
            case "startswith", "endswith" -> (args, kw) -> {
                Object affix = new CallArgs(name, args, kw).accept("prefix").required(0, "prefix");
                List<Object> options = affix instanceof PyTuple t ? t.items() : List.of(affix);
                for (Object o : options) {
                    if (!(o instanceof String x)) {
                        throw new TemplateException(name + " first arg must be str or a tuple of str, not " + Py.typeName(o));
                    }
                    if (name.equals("startswith") ? s.startsWith(x) : s.endsWith(x)) {
                        return true;
                    }
                }
                return false;
            };
            case "upper" -> (args, kw) -> s.toUpperCase(Locale.ROOT);
            case "lower" -> (args, kw) -> s.toLowerCase(Locale.ROOT);
            case "title" -> (args, kw) -> title(s);
            case "capitalize" -> (args, kw) -> capitalize(s);
            case "replace" -> (args, kw) -> {
                CallArgs a = new CallArgs(name, args, kw).accept("old", "new", "count");
                return replace(s, a.string(0, "old", null), a.string(1, "new", null), a.integer(2, "count", -1));
            };
            case "find", "rfind", "count" -> (args, kw) -> {
                String sub = new CallArgs(name, args, kw).accept("sub").string(0, "sub", null);
                return switch (name) {
                    case "find" -> (long) codePointIndex(s, s.indexOf(sub));
                    case "rfind" -> (long) codePointIndex(s, s.lastIndexOf(sub));
                    default -> count(s, sub);
                };
            };
            case "join" -> (args, kw) -> {
                StringBuilder sb = new StringBuilder();
                for (Object o : Py.iterate(new CallArgs(name, args, kw).accept("iterable").required(0, "iterable"))) {
                    if (!(o instanceof String part)) {
                        throw new TemplateException("sequence item " + sb.length() + ": expected str instance, " + Py.typeName(o) + " found");
                    }
                    sb.append(sb.isEmpty() ? "" : s).append(part);
                }
                return sb.toString();
            };
            case "removeprefix" -> (args, kw) -> {
                String p = new CallArgs(name, args, kw).accept("prefix").string(0, "prefix", null);
                return s.startsWith(p) ? s.substring(p.length()) : s;
            };
            case "removesuffix" -> (args, kw) -> {
                String p = new CallArgs(name, args, kw).accept("suffix").string(0, "suffix", null);
                return s.endsWith(p) && !p.isEmpty() ? s.substring(0, s.length() - p.length()) : s;
            };
            case "isdigit" -> (args, kw) -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> (args, kw) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> (args, kw) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> (args, kw) -> !s.isEmpty() && s.codePoints().allMatch(Py::isWhitespace);
            case "isupper" -> (args, kw) -> isCase(s, true);
            case "islower" -> (args, kw) -> isCase(s, false);
            default -> null;
        };
    }

    private static int codePointIndex(String s, int utf16Index) {
        return utf16Index < 0 ? -1 : s.codePointCount(0, utf16Index);
    }

    static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1;
        }
        long n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
            n++;
        }
        return n;
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (long done = 0; done < count; done++) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            sb.append(s, from, at).append(replacement);
            from = at + old.length();
            if (old.isEmpty()) {
                // Python inserts the replacement between code points when "old" is empty.
                if (from >= s.length()) {
                    return sb.toString();
                }
                int cp = s.codePointAt(from);
                sb.appendCodePoint(cp);
                from += Character.charCount(cp);
            }
        }
        return sb.append(s, from, s.length()).toString();
    }

    /** Python str.split / str.rsplit, including whitespace splitting when {@code sep} is None. */
    static List<Object> split(String s, String sep, long maxsplit, boolean fromRight) {
        if (sep != null && sep.isEmpty()) {
            throw new TemplateException("empty separator");
        }
        List<Object> parts = new ArrayList<>();
        long limit = maxsplit < 0 ? Long.MAX_VALUE : maxsplit;
        if (sep == null) {
            String rest = fromRight ? Py.rstrip(s, null) : Py.lstrip(s, null);
            while (!rest.isEmpty()) {
                if (parts.size() == limit) {
                    parts.add(rest);
                    break;
                }
                int cut = fromRight ? lastWhitespace(rest) : firstWhitespace(rest);
                if (cut < 0) {
                    parts.add(rest);
                    break;
                }
                parts.add(fromRight ? rest.substring(cut + 1) : rest.substring(0, cut));
                rest = fromRight ? Py.rstrip(rest.substring(0, cut), null) : Py.lstrip(rest.substring(cut), null);
            }
        } else {
            String rest = s;
            while (parts.size() < limit) {
                int at = fromRight ? rest.lastIndexOf(sep) : rest.indexOf(sep);
                if (at < 0) {
                    break;
                }
                parts.add(fromRight ? rest.substring(at + sep.length()) : rest.substring(0, at));
                rest = fromRight ? rest.substring(0, at) : rest.substring(at + sep.length());
            }
            parts.add(rest);
        }
        if (fromRight) {
            java.util.Collections.reverse(parts);
        }
        return parts;
    }

    private static int firstWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Py.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int lastWhitespace(String s) {
        for (int i = s.length() - 1; i >= 0; i--) {
            if (Py.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Python str.splitlines: \n, \r, \r\n and the other Unicode line boundaries. */
    static List<String> splitlines(String s, boolean keepEnds) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if ("\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029".indexOf(c) < 0) {
                i++;
                continue;
            }
            int end = c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n' ? i + 2 : i + 1;
            lines.add(s.substring(start, keepEnds ? end : i));
            start = i = end;
        }
        if (start < s.length()) {
            lines.add(s.substring(start));
        }
        return lines;
    }

    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return titleCase(first) + s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT);
    }

    /**
     * Full title-case mapping of one code point, as Python uses it ("ß" becomes "Ss"): Java only has
     * the single-character mapping, so characters whose uppercase expands are derived from that.
     */
    static String titleCase(int cp) {
        int simple = Character.toTitleCase(cp);
        String upper = Character.toString(cp).toUpperCase(Locale.ROOT);
        if (simple != cp || upper.codePointCount(0, upper.length()) == 1) {
            return Character.toString(simple);
        }
        int head = upper.codePointAt(0);
        return Character.toString(head) + upper.substring(Character.charCount(head)).toLowerCase(Locale.ROOT);
    }

    /** Python str.title: a cased character is uppercased after an uncased one, lowercased otherwise. */
    static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean previousCased = false;
        for (int cp : s.codePoints().toArray()) {
            sb.append(previousCased ? Character.toString(cp).toLowerCase(Locale.ROOT) : titleCase(cp));
            previousCased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
        }
        return sb.toString();
    }

    static boolean isCase(String s, boolean upper) {
        boolean cased = false;
        for (int cp : s.codePoints().toArray()) {
            if (upper ? Character.isLowerCase(cp) || Character.isTitleCase(cp) : Character.isUpperCase(cp) || Character.isTitleCase(cp)) {
                return false;
            }
            cased |= upper ? Character.isUpperCase(cp) : Character.isLowerCase(cp);
        }
        return cased;
    }
}
