package dev.pagoda.tokenizer.template;

import java.util.List;
import java.util.Map;

/** Binds the arguments of a call to Python-style parameters (positional or by name, with defaults). */
record CallArgs(String function, List<Object> positional, Map<String, Object> keyword) {

    /**
     * Checks the call against the parameter names a function accepts (in positional order), so a
     * misspelled keyword fails as it does in Python instead of being ignored.
     */
    CallArgs accept(String... names) {
        if (positional.size() > names.length) {
            throw new TemplateException(function + "() takes at most " + names.length + " argument(s) ("
                    + positional.size() + " given)");
        }
        for (String key : keyword.keySet()) {
            if (!List.of(names).contains(key)) {
                throw new TemplateException(function + "() got an unexpected keyword argument " + Py.repr(key));
            }
        }
        return this;
    }

    Object get(int index, String name, Object fallback) {
        if (index < positional.size()) {
            return positional.get(index);
        }
        return keyword.containsKey(name) ? keyword.get(name) : fallback;
    }

    Object required(int index, String name) {
        if (index >= positional.size() && !keyword.containsKey(name)) {
            throw new TemplateException(function + "() missing required argument: " + Py.repr(name));
        }
        return get(index, name, null);
    }

    String string(int index, String name, String fallback) {
        Object v = get(index, name, fallback);
        if (v != null && !(v instanceof String)) {
            throw new TemplateException(function + "() argument " + Py.repr(name) + " must be str, not " + Py.typeName(v));
        }
        return (String) v;
    }

    long integer(int index, String name, long fallback) {
        Object v = get(index, name, fallback);
        if (!Py.isInteger(v)) {
            throw new TemplateException(Py.repr(Py.typeName(v)) + " object cannot be interpreted as an integer");
        }
        return Py.toLong(v);
    }

    boolean flag(int index, String name, boolean fallback) {
        return Py.truthy(get(index, name, fallback));
    }
}
