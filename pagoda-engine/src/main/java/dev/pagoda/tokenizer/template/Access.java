package dev.pagoda.tokenizer.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attribute, item and slice access with Jinja2's sandbox semantics: {@code a.b} tries the Python
 * attribute first and then the item, {@code a['b']} the other way round, and anything missing
 * becomes an {@link Undefined} rather than an error.
 */
final class Access {
    private Access() {
    }

    /** {@code obj.name}. */
    static Object getattr(Object obj, String name) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        Object attribute = attribute(obj, name);
        if (attribute != null) {
            return attribute;
        }
        if (obj instanceof Map<?, ?> m && m.containsKey(name)) {
            return m.get(name);
        }
        return Undefined.member(obj, name);
    }

    /** {@code obj[key]}. */
    static Object getitem(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        switch (obj) {
            case Map<?, ?> m when m.containsKey(key) -> {
                return m.get(key);
            }
            case List<?> l when Py.isInteger(key) -> {
                return index(obj, l, Py.toLong(key));
            }
            case PyTuple t when Py.isInteger(key) -> {
                return index(obj, t.items(), Py.toLong(key));
            }
            case String s when Py.isInteger(key) -> {
                int[] cps = Py.codePoints(s);
                long i = Py.toLong(key) < 0 ? Py.toLong(key) + cps.length : Py.toLong(key);
                return i >= 0 && i < cps.length ? Character.toString(cps[(int) i]) : Undefined.member(obj, key);
            }
            case null, default -> {
            }
        }
        if (key instanceof String name) {
            Object attribute = attribute(obj, name);
            if (attribute != null) {
                return attribute;
            }
        }
        return Undefined.member(obj, key);
    }

    private static Object index(Object owner, List<?> items, long i) {
        long at = i < 0 ? i + items.size() : i;
        return at >= 0 && at < items.size() ? items.get((int) at) : Undefined.member(owner, i);
    }

    /** A genuine Python attribute (method, namespace member, loop property), or null. */
    private static Object attribute(Object obj, String name) {
        return switch (obj) {
            case Namespace n -> n.attributes.containsKey(name) ? n.attributes.get(name) : null;
            case LoopContext loop -> loop.attribute(name);
            case null, default -> Methods.lookup(obj, name);
        };
    }

    /** The {@code attr} filter: only real attributes, never items. */
    static Object attributeOnly(Object obj, String name) {
        Object attribute = attribute(obj, name);
        return attribute != null ? attribute : Undefined.member(obj, name);
    }

    /**
     * Jinja2's attribute getter for filters ({@code map(attribute="a.b")}, {@code sort(attribute=...)}):
     * dotted paths, with integer parts used as indexes.
     */
    static Object path(Object obj, Object attribute) {
        if (!(attribute instanceof String path)) {
            return getitem(obj, attribute);
        }
        Object v = obj;
        for (String part : path.split("\\.", -1)) {
            v = getitem(v, part.matches("\\d+") ? (Object) Long.parseLong(part) : part);
        }
        return v;
    }

    /** {@code obj[start:stop:step]} with Python's index clamping. */
    static Object slice(Object obj, Object start, Object stop, Object step) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        long st = step == null ? 1 : sliceIndex(step);
        if (st == 0) {
            throw new TemplateException("slice step cannot be zero");
        }
        List<?> items;
        int[] cps = null;
        switch (obj) {
            case String s -> {
                cps = Py.codePoints(s);
                items = null;
            }
            case List<?> l -> items = l;
            case PyTuple t -> items = t.items();
            case null, default -> {
                return Undefined.hint(Py.objectTypeRepr(obj) + " has no element slice(" + Py.repr(start) + ", "
                        + Py.repr(stop) + ", " + Py.repr(step) + ")");
            }
        }
        int len = cps != null ? cps.length : items.size();
        long lower = st > 0 ? 0 : -1;
        long upper = st > 0 ? len : len - 1;
        long from = start == null ? (st > 0 ? lower : upper) : clamp(sliceIndex(start), len, lower, upper);
        long to = stop == null ? (st > 0 ? upper : lower) : clamp(sliceIndex(stop), len, lower, upper);
        List<Object> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (long i = from; st > 0 ? i < to : i > to; i += st) {
            if (cps != null) {
                sb.appendCodePoint(cps[(int) i]);
            } else {
                out.add(items.get((int) i));
            }
        }
        return cps != null ? sb.toString() : obj instanceof PyTuple ? new PyTuple(out) : out;
    }

    private static long sliceIndex(Object v) {
        if (!Py.isInteger(v)) {
            throw new TemplateException("slice indices must be integers or None or have an __index__ method");
        }
        return Py.toLong(v);
    }

    private static long clamp(long i, int len, long lower, long upper) {
        if (i < 0) {
            return Math.max(i + len, lower);
        }
        return Math.min(i, upper);
    }
}
