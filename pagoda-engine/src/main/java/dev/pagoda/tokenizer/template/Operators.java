package dev.pagoda.tokenizer.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Python's arithmetic operators and printf-style {@code %} formatting, with CPython's error messages. */
final class Operators {
    private static final Pattern SPEC = Pattern.compile("([-+ #0]*)(\\d*)(?:\\.(\\d*))?");

    private Operators() {
    }

    static Object binary(String op, Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        return switch (op) {
            case "+" -> add(a, b);
            case "-" -> numeric(op, a, b);
            case "*" -> multiply(a, b);
            case "/" -> {
                requireNumbers(op, a, b);
                if (Py.toDouble(b) == 0) {
                    throw new TemplateException("division by zero");
                }
                yield Py.toDouble(a) / Py.toDouble(b);
            }
            case "//", "%" -> {
                if (op.equals("%") && a instanceof String fmt) {
                    yield format(fmt, b);
                }
                yield numeric(op, a, b);
            }
            case "**" -> power(a, b);
            default -> throw new IllegalArgumentException(op);
        };
    }

    static Object unary(String op, Object v) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (!Py.isNumber(v)) {
            throw new TemplateException("bad operand type for unary " + op + ": " + Py.repr(Py.typeName(v)));
        }
        if (op.equals("+")) {
            return v instanceof Boolean ? Py.toLong(v) : v;
        }
        return v instanceof Double d ? -d : (Object) Math.negateExact(Py.toLong(v));
    }

    private static Object add(Object a, Object b) {
        if (Py.isNumber(a) && Py.isNumber(b)) {
            return numeric("+", a, b);
        }
        if (a instanceof String x && b instanceof String y) {
            return x + y;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            List<Object> out = new ArrayList<>(x);
            out.addAll(y);
            return out;
        }
        if (a instanceof PyTuple x && b instanceof PyTuple y) {
            List<Object> out = new ArrayList<>(x.items());
            out.addAll(y.items());
            return new PyTuple(out);
        }
        if (a instanceof String || a instanceof List || a instanceof PyTuple) {
            String t = Py.typeName(a);
            throw new TemplateException("can only concatenate " + t + " (not \"" + Py.typeName(b) + "\") to " + t);
        }
        throw unsupported("+", a, b);
    }

    private static Object multiply(Object a, Object b) {
        if (Py.isNumber(a) && Py.isNumber(b)) {
            return numeric("*", a, b);
        }
        Object seq = Py.isNumber(a) ? b : a;
        Object times = Py.isNumber(a) ? a : b;
        if (seq instanceof String || seq instanceof List || seq instanceof PyTuple) {
            if (!Py.isInteger(times)) {
                throw new TemplateException("can't multiply sequence by non-int of type " + Py.repr(Py.typeName(times)));
            }
            long n = Math.max(0, Py.toLong(times));
            if (seq instanceof String s) {
                return s.repeat(Math.toIntExact(n));
            }
            List<Object> items = seq instanceof PyTuple t ? t.items() : Collections.unmodifiableList((List<?>) seq);
            List<Object> out = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                out.addAll(items);
            }
            return seq instanceof PyTuple ? new PyTuple(out) : out;
        }
        throw unsupported("*", a, b);
    }

    private static Object numeric(String op, Object a, Object b) {
        requireNumbers(op, a, b);
        if (Py.isInteger(a) && Py.isInteger(b)) {
            long x = Py.toLong(a);
            long y = Py.toLong(b);
            if ((op.equals("//") || op.equals("%")) && y == 0) {
                throw new TemplateException(op.equals("%") ? "integer modulo by zero" : "integer division or modulo by zero");
            }
            return switch (op) {
                case "+" -> Math.addExact(x, y);
                case "-" -> Math.subtractExact(x, y);
                case "*" -> Math.multiplyExact(x, y);
                case "//" -> Math.floorDiv(x, y);
                default -> Math.floorMod(x, y);
            };
        }
        double x = Py.toDouble(a);
        double y = Py.toDouble(b);
        if ((op.equals("//") || op.equals("%")) && y == 0) {
            throw new TemplateException(op.equals("%") ? "float modulo" : "float floor division by zero");
        }
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "//" -> Math.floor(x / y);
            default -> {
                double r = x % y; // Python's float % takes the sign of the divisor
                yield r != 0 && (r < 0) != (y < 0) ? r + y : r;
            }
        };
    }

    private static Object power(Object a, Object b) {
        requireNumbers("**", a, b);
        if (Py.isInteger(a) && Py.isInteger(b) && Py.toLong(b) >= 0) {
            long base = Py.toLong(a);
            long result = 1;
            for (long e = Py.toLong(b); e > 0; e--) {
                result = Math.multiplyExact(result, base);
            }
            return result;
        }
        if (Py.toDouble(a) == 0 && Py.toDouble(b) < 0) {
            throw new TemplateException("0.0 cannot be raised to a negative power");
        }
        return Math.pow(Py.toDouble(a), Py.toDouble(b));
    }

    private static void requireNumbers(String op, Object a, Object b) {
        if (!Py.isNumber(a) || !Py.isNumber(b)) {
            throw unsupported(op, a, b);
        }
    }

    private static TemplateException unsupported(String op, Object a, Object b) {
        return new TemplateException("unsupported operand type(s) for " + op + ": "
                + Py.repr(Py.typeName(a)) + " and " + Py.repr(Py.typeName(b)));
    }

    /** Python's {@code fmt % args}: %s %r %d %i %x %o %f %e %c and %%, with flags, width, precision and %(key)s. */
    static String format(String fmt, Object args) {
        List<Object> values = args instanceof PyTuple t ? t.items() : Collections.singletonList(args);
        StringBuilder out = new StringBuilder();
        int next = 0;
        int i = 0;
        while (i < fmt.length()) {
            char c = fmt.charAt(i++);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i >= fmt.length()) {
                throw new TemplateException("incomplete format");
            }
            Object value = null;
            boolean keyed = false;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (!(args instanceof Map<?, ?> m) || close < 0) {
                    throw new TemplateException("format requires a mapping");
                }
                String key = fmt.substring(i + 1, close);
                if (!m.containsKey(key)) {
                    throw new TemplateException(Py.repr(key));
                }
                value = m.get(key);
                keyed = true;
                i = close + 1;
            }
            int specStart = i;
            while (i < fmt.length() && "-+ #0123456789.".indexOf(fmt.charAt(i)) >= 0) {
                i++;
            }
            if (i >= fmt.length()) {
                throw new TemplateException("incomplete format");
            }
            String spec = fmt.substring(specStart, i);
            char type = fmt.charAt(i++);
            if (type == '%') {
                out.append('%');
                continue;
            }
            if (!keyed) {
                if (next >= values.size()) {
                    throw new TemplateException("not enough arguments for format string");
                }
                value = values.get(next++);
            }
            out.append(formatOne(spec, type, value));
        }
        if (next < values.size() && !(args instanceof Map)) {
            throw new TemplateException("not all arguments converted during string formatting");
        }
        return out.toString();
    }

    private static String formatOne(String spec, char type, Object value) {
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new TemplateException("unsupported format specification '%" + spec + type + "'");
        }
        String flags = m.group(1);
        boolean left = flags.contains("-");
        boolean zero = flags.contains("0") && !left;
        int width = m.group(2).isEmpty() ? 0 : Integer.parseInt(m.group(2));
        Integer precision = m.group(3) == null ? null : m.group(3).isEmpty() ? 0 : Integer.parseInt(m.group(3));
        String body;
        switch (type) {
            case 's', 'r' -> {
                body = type == 's' ? Py.str(value) : Py.repr(value);
                if (precision != null && precision < body.length()) {
                    body = body.substring(0, precision);
                }
                zero = false;
            }
            case 'd', 'i', 'x', 'X', 'o' -> {
                if (!Py.isNumber(value)) {
                    throw new TemplateException("%" + type + " format: a real number is required, not " + Py.typeName(value));
                }
                long n = value instanceof Double d ? (long) (double) d : Py.toLong(value);
                String digits = switch (type) {
                    case 'x' -> Long.toHexString(Math.abs(n));
                    case 'X' -> Long.toHexString(Math.abs(n)).toUpperCase();
                    case 'o' -> Long.toOctalString(Math.abs(n));
                    default -> Long.toString(Math.abs(n));
                };
                body = sign(n < 0, flags) + digits;
            }
            case 'f', 'F', 'e', 'E' -> {
                if (!Py.isNumber(value)) {
                    throw new TemplateException("must be real number, not " + Py.typeName(value));
                }
                double d = Py.toDouble(value);
                String f = String.format(java.util.Locale.ROOT, "%." + (precision == null ? 6 : precision) + type, Math.abs(d));
                body = sign(d < 0, flags) + f;
            }
            case 'c' -> body = value instanceof String s ? s : Character.toString((int) Py.toLong(value));
            default -> throw new TemplateException("unsupported format character '" + type + "'");
        }
        if (body.length() >= width) {
            return body;
        }
        if (left) {
            return body + " ".repeat(width - body.length());
        }
        if (zero) {
            int signLen = body.startsWith("-") || body.startsWith("+") || body.startsWith(" ") ? 1 : 0;
            return body.substring(0, signLen) + "0".repeat(width - body.length()) + body.substring(signLen);
        }
        return " ".repeat(width - body.length()) + body;
    }

    private static String sign(boolean negative, String flags) {
        return negative ? "-" : flags.contains("+") ? "+" : flags.contains(" ") ? " " : "";
    }
}
