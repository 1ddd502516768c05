package dev.pagoda.tokenizer.template;

import java.util.HashMap;
import java.util.Map;

/**
 * A variable frame. Jinja2 gives every for-loop iteration, macro call and block-set body its own
 * frame: assignments there do not leak out, while {@code if} bodies share their parent's frame.
 */
final class Scope {
    static final Object MISSING = new Object();

    private final Scope parent;
    private final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Object get(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.vars.containsKey(name)) {
                return s.vars.get(name);
            }
        }
        return MISSING;
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }
}
