package dev.pagoda.tokenizer.template;

/**
 * Jinja2's default {@code Undefined}: prints as "", is falsy, iterates as empty and has length 0,
 * but any attribute/item access, call or arithmetic on it fails with Jinja2's message.
 */
final class Undefined {
    private final String message;

    private Undefined(String message) {
        this.message = message;
    }

    /** A variable that does not exist: {@code 'name' is undefined}. */
    static Undefined variable(String name) {
        return new Undefined(Py.repr(name) + " is undefined");
    }

    /** A missing attribute or item of {@code owner}, phrased as Jinja2 phrases it. */
    static Undefined member(Object owner, Object key) {
        String type = Py.objectTypeRepr(owner);
        return new Undefined(key instanceof String s
                ? Py.repr(type) + " has no attribute " + Py.repr(s)
                : type + " has no element " + Py.repr(key));
    }

    /** An undefined value carrying an explicit explanation (e.g. "No first item, sequence was empty."). */
    static Undefined hint(String hint) {
        return new Undefined(hint);
    }

    TemplateException error() {
        return new TemplateException(message);
    }

    @Override
    public String toString() {
        return "";
    }
}
