package dev.pagoda.tokenizer.template;

import java.util.List;
import java.util.Map;

/** Jinja2's built-in tests ({@code x is defined}, {@code x is string}, {@code x is equalto y}, ...). */
final class Tests {
    private Tests() {
    }

    static boolean apply(String name, Object v, CallArgs a) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "number" -> Py.isNumber(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map;
            // Python: iterable means iter() works; sequence means len() and __getitem__ exist (dicts and Undefined included).
            case "iterable" -> v instanceof String || v instanceof List || v instanceof Map || v instanceof PyTuple
                    || v instanceof DictView || v instanceof PyIterator || v instanceof Undefined;
            case "sequence" -> v instanceof String || v instanceof List || v instanceof Map || v instanceof PyTuple
                    || v instanceof Undefined;
            case "callable" -> v instanceof JinjaCallable;
            case "odd", "even" -> {
                if (!Py.isInteger(v)) {
                    throw new TemplateException("unsupported operand type(s) for %: " + Py.repr(Py.typeName(v)) + " and 'int'");
                }
                yield Math.floorMod(Py.toLong(v), 2) == (name.equals("odd") ? 1 : 0);
            }
            case "divisibleby" -> Py.eq(Operators.binary("%", v, a.required(0, "num")), 0L);
            case "lower" -> Methods.isCase(Py.str(v), false);
            case "upper" -> Methods.isCase(Py.str(v), true);
            case "eq", "equalto", "==" -> Py.eq(v, a.required(0, "other"));
            case "ne", "!=" -> !Py.eq(v, a.required(0, "other"));
            case "lt", "lessthan", "<" -> Py.compare(v, a.required(0, "other"), "<") < 0;
            case "le", "<=" -> Py.compare(v, a.required(0, "other"), "<=") <= 0;
            case "gt", "greaterthan", ">" -> Py.compare(v, a.required(0, "other"), ">") > 0;
            case "ge", ">=" -> Py.compare(v, a.required(0, "other"), ">=") >= 0;
            case "in" -> Py.contains(a.required(0, "seq"), v);
            case "sameas" -> sameAs(v, a.required(0, "other"));
            case "escaped" -> false;
            default -> throw new TemplateException("No test named " + Py.repr(name) + ".");
        };
    }

    /** Python {@code is}: identity, which for the singletons None/True/False and small values means equality. */
    private static boolean sameAs(Object a, Object b) {
        if (a == null || b == null || a instanceof Boolean || b instanceof Boolean) {
            return a == b || (a instanceof Boolean && a.equals(b));
        }
        return a == b;
    }
}
