package dev.pagoda.tokenizer.template;

import dev.pagoda.tokenizer.template.Ast.*;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Executes a parsed template against a context, writing the output as Jinja2 would. */
final class Interpreter {
    /** What a statement list asks its enclosing loop to do next. */
    private enum Flow { NORMAL, BREAK, CONTINUE }

    private static final int MAX_RANGE = 100_000; // the sandbox's limit

    private final Map<String, Object> globals = new LinkedHashMap<>();

    Interpreter(Clock clock) {
        globals.put("raise_exception", (JinjaCallable) (args, kw) -> {
            throw new TemplateException(Py.str(new CallArgs("raise_exception", args, kw).required(0, "message")));
        });
        globals.put("strftime_now", (JinjaCallable) (args, kw) ->
                Strftime.format(Py.str(new CallArgs("strftime_now", args, kw).required(0, "format")), LocalDateTime.now(clock)));
        globals.put("namespace", (JinjaCallable) (args, kw) -> {
            Namespace ns = new Namespace();
            ns.attributes.putAll(dict(args, kw));
            return ns;
        });
        globals.put("dict", (JinjaCallable) Interpreter::dict);
        globals.put("range", (JinjaCallable) Interpreter::range);
    }

    String render(List<Stmt> body, Map<String, Object> context) {
        Scope root = new Scope(null);
        context.forEach((k, v) -> root.set(k, Py.normalize(v)));
        StringBuilder out = new StringBuilder();
        exec(body, root, out);
        return out.toString();
    }

    // ---- statements ----

    Flow exec(List<Stmt> body, Scope scope, StringBuilder out) {
        for (Stmt stmt : body) {
            Flow flow = exec(stmt, scope, out);
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private Flow exec(Stmt stmt, Scope scope, StringBuilder out) {
        switch (stmt) {
            case Text t -> out.append(t.text());
            case Print p -> out.append(Py.str(eval(p.expr(), scope)));
            case If i -> {
                for (int k = 0; k < i.tests().size(); k++) {
                    if (Py.truthy(eval(i.tests().get(k), scope))) {
                        return exec(i.bodies().get(k), scope, out);
                    }
                }
                return exec(i.orElse(), scope, out);
            }
            case For f -> {
                return execFor(f, scope, out);
            }
            case Assign a -> {
                // Jinja2 checks a namespace target before it evaluates the value.
                if (a.target() instanceof AttrTarget t) {
                    namespace(t, scope);
                }
                assign(a.target(), eval(a.value(), scope), scope);
            }
            case AssignBlock a -> {
                StringBuilder captured = new StringBuilder();
                exec(a.body(), new Scope(scope), captured);
                Object value = a.filter() == null ? captured.toString() : applyFilterChain(a.filter(), captured.toString(), scope);
                assign(a.target(), value, scope);
            }
            case MacroDef m -> scope.set(m.name(), new Macro(this, m.name(), m.params(), m.defaults(), m.body(), scope));
            case CallBlock c -> {
                Macro caller = new Macro(this, "caller", c.params(), c.defaults(), c.body(), scope);
                CallArgs args = args("call", c.call().args(), scope);
                Map<String, Object> kw = new LinkedHashMap<>(args.keyword());
                kw.put("caller", caller);
                out.append(Py.str(call(eval(c.call().function(), scope), args.positional(), kw)));
            }
            case FilterBlock f -> {
                StringBuilder captured = new StringBuilder();
                exec(f.body(), new Scope(scope), captured);
                out.append(Py.str(applyFilterChain(f.filter(), captured.toString(), scope)));
            }
            case With w -> {
                Scope inner = new Scope(scope);
                for (int k = 0; k < w.targets().size(); k++) {
                    assign(w.targets().get(k), eval(w.values().get(k), scope), inner);
                }
                return exec(w.body(), inner, out);
            }
            case Break b -> {
                return Flow.BREAK;
            }
            case Continue c -> {
                return Flow.CONTINUE;
            }
        }
        return Flow.NORMAL;
    }

    private Flow execFor(For f, Scope scope, StringBuilder out) {
        List<Object> items = Py.iterate(eval(f.iterable(), scope));
        if (f.filter() != null) {
            // "for x in xs if cond" filters before the loop starts, so loop.length/last see only kept items.
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope probe = new Scope(scope);
                assign(f.target(), item, probe);
                if (Py.truthy(eval(f.filter(), probe))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            return exec(f.orElse(), new Scope(scope), out);
        }
        LoopContext loop = new LoopContext(items, 1);
        for (Object item : items) {
            loop.advance();
            Scope iteration = new Scope(scope); // each iteration starts from the enclosing frame, as in Jinja2
            assign(f.target(), item, iteration);
            iteration.set("loop", loop);
            if (exec(f.body(), iteration, out) == Flow.BREAK) {
                break;
            }
        }
        return Flow.NORMAL;
    }

    private void assign(Target target, Object value, Scope scope) {
        switch (target) {
            case NameTarget n -> scope.set(n.name(), value);
            case AttrTarget a -> namespace(a, scope).attributes.put(a.attribute(), value);
            case TupleTarget t -> {
                List<Object> items = Py.iterate(value);
                int n = t.items().size();
                if (items.size() > n) {
                    throw new TemplateException("too many values to unpack (expected " + n + ")");
                }
                if (items.size() < n) {
                    throw new TemplateException("not enough values to unpack (expected " + n + ", got " + items.size() + ")");
                }
                for (int k = 0; k < n; k++) {
                    assign(t.items().get(k), items.get(k), scope);
                }
            }
        }
    }

    private Namespace namespace(AttrTarget target, Scope scope) {
        if (!(lookup(target.object(), scope) instanceof Namespace ns)) {
            throw new TemplateException("cannot assign attribute on non-namespace object");
        }
        return ns;
    }

    // ---- expressions ----

    Object eval(Expr expr, Scope scope) {
        return switch (expr) {
            case Literal l -> l.value();
            case Var v -> lookup(v.name(), scope);
            case Attr a -> Access.getattr(eval(a.object(), scope), a.name());
            case Item i -> Access.getitem(eval(i.object(), scope), eval(i.key(), scope));
            case Slice s -> Access.slice(eval(s.object(), scope), evalOrNull(s.start(), scope),
                    evalOrNull(s.stop(), scope), evalOrNull(s.step(), scope));
            case Call c -> {
                Object function = eval(c.function(), scope);
                CallArgs args = args("call", c.args(), scope);
                yield call(function, args.positional(), args.keyword());
            }
            case Filter f -> Filters.apply(f.name(), eval(f.value(), scope), args(f.name(), f.args(), scope));
            case Test t -> Tests.apply(t.name(), eval(t.value(), scope), args(t.name(), t.args(), scope));
            case Unary u -> u.op().equals("not") ? !Py.truthy(eval(u.operand(), scope)) : Operators.unary(u.op(), eval(u.operand(), scope));
            case Binary b -> binary(b, scope);
            case Compare c -> compare(c, scope);
            case Conditional c -> Py.truthy(eval(c.test(), scope)) ? eval(c.then(), scope)
                    : c.orElse() != null ? eval(c.orElse(), scope)
                    : Undefined.hint("the inline if-expression evaluated to false and no else section was defined.");
            case ListExpr l -> evalAll(l.items(), scope);
            case TupleExpr t -> new PyTuple(evalAll(t.items(), scope));
            case DictExpr d -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int k = 0; k < d.keys().size(); k++) {
                    map.put(eval(d.keys().get(k), scope), eval(d.values().get(k), scope));
                }
                yield map;
            }
        };
    }

    private Object evalOrNull(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private List<Object> evalAll(List<Expr> exprs, Scope scope) {
        List<Object> out = new ArrayList<>(exprs.size());
        for (Expr e : exprs) {
            out.add(eval(e, scope));
        }
        return out;
    }

    private Object lookup(String name, Scope scope) {
        Object v = scope.get(name);
        if (v != Scope.MISSING) {
            return v;
        }
        return globals.containsKey(name) ? globals.get(name) : Undefined.variable(name);
    }

    private CallArgs args(String function, Args args, Scope scope) {
        Map<String, Object> kw = new LinkedHashMap<>();
        args.keyword().forEach((k, v) -> kw.put(k, eval(v, scope)));
        return new CallArgs(function, evalAll(args.positional(), scope), kw);
    }

    private static Object call(Object function, List<Object> args, Map<String, Object> kwargs) {
        if (function instanceof Undefined u) {
            throw u.error();
        }
        if (!(function instanceof JinjaCallable c)) {
            throw new TemplateException(Py.repr(Py.typeName(function)) + " object is not callable");
        }
        return c.call(args, kwargs);
    }

    /** Applies a filter block's chain (innermost filter has a null value) to the captured text. */
    private Object applyFilterChain(Expr chain, Object input, Scope scope) {
        Filter f = (Filter) chain;
        Object value = f.value() == null ? input : applyFilterChain(f.value(), input, scope);
        return Filters.apply(f.name(), value, args(f.name(), f.args(), scope));
    }

    private Object binary(Binary b, Scope scope) {
        Object left = eval(b.left(), scope);
        return switch (b.op()) {
            case "and" -> Py.truthy(left) ? eval(b.right(), scope) : left;
            case "or" -> Py.truthy(left) ? left : eval(b.right(), scope);
            case "~" -> Py.str(left) + Py.str(eval(b.right(), scope));
            default -> Operators.binary(b.op(), left, eval(b.right(), scope));
        };
    }

    private Object compare(Compare c, Scope scope) {
        Object left = eval(c.first(), scope);
        for (int k = 0; k < c.ops().size(); k++) {
            Object right = eval(c.operands().get(k), scope);
            String op = c.ops().get(k);
            boolean ok = switch (op) {
                case "==" -> Py.eq(left, right);
                case "!=" -> !Py.eq(left, right);
                case "in" -> Py.contains(right, left);
                case "not in" -> !Py.contains(right, left);
                case "<" -> Py.compare(left, right, op) < 0;
                case "<=" -> Py.compare(left, right, op) <= 0;
                case ">" -> Py.compare(left, right, op) > 0;
                default -> Py.compare(left, right, op) >= 0;
            };
            if (!ok) {
                return false;
            }
            left = right;
        }
        return true;
    }

    // ---- global functions ----

    private static Map<Object, Object> dict(List<Object> args, Map<String, Object> kwargs) {
        Map<Object, Object> map = new LinkedHashMap<>();
        if (args.size() > 1) {
            throw new TemplateException("dict expected at most 1 argument, got " + args.size());
        }
        if (!args.isEmpty()) {
            if (args.getFirst() instanceof Map<?, ?> m) {
                map.putAll(m);
            } else {
                for (Object pair : Py.iterate(args.getFirst())) {
                    List<Object> kv = Py.iterate(pair);
                    map.put(kv.get(0), kv.get(1));
                }
            }
        }
        map.putAll(kwargs);
        return map;
    }

    private static List<Object> range(List<Object> args, Map<String, Object> kwargs) {
        if (args.isEmpty() || args.size() > 3 || !kwargs.isEmpty()) {
            throw new TemplateException("range expected 1 to 3 integer arguments");
        }
        CallArgs a = new CallArgs("range", args, kwargs);
        long start = args.size() == 1 ? 0 : a.integer(0, "start", 0);
        long stop = args.size() == 1 ? a.integer(0, "stop", 0) : a.integer(1, "stop", 0);
        long step = args.size() == 3 ? a.integer(2, "step", 1) : 1;
        if (step == 0) {
            throw new TemplateException("range() arg 3 must not be zero");
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (out.size() >= MAX_RANGE) {
                throw new TemplateException("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
            }
            out.add(i);
        }
        return out;
    }
}
