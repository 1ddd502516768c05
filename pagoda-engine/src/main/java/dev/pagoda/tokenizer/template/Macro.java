package dev.pagoda.tokenizer.template;

import dev.pagoda.tokenizer.template.Ast.Expr;
import dev.pagoda.tokenizer.template.Ast.Stmt;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code {% macro %}} (or the {@code caller} of a call block): renders its body in a fresh frame
 * whose parent is the frame it was defined in, and returns the output as a string.
 */
final class Macro implements JinjaCallable {
    private final Interpreter interpreter;
    private final String name;
    private final List<String> params;
    private final List<Expr> defaults;
    private final List<Stmt> body;
    private final Scope closure;
    /** Jinja2 only accepts extra positional/keyword arguments if the body mentions varargs/kwargs. */
    private final boolean takesVarargs;
    private final boolean takesKwargs;

    Macro(Interpreter interpreter, String name, List<String> params, List<Expr> defaults, List<Stmt> body, Scope closure) {
        this.interpreter = interpreter;
        this.name = name;
        this.params = params;
        this.defaults = defaults;
        this.body = body;
        this.closure = closure;
        this.takesVarargs = mentions(body, "varargs");
        this.takesKwargs = mentions(body, "kwargs");
    }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
        Scope scope = new Scope(closure);
        Map<String, Object> extraKw = new LinkedHashMap<>(kwargs);
        int firstDefault = params.size() - defaults.size();
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            Object value;
            if (i < args.size()) {
                value = args.get(i);
            } else if (extraKw.containsKey(p)) {
                value = extraKw.remove(p);
            } else if (i >= firstDefault) {
                value = interpreter.eval(defaults.get(i - firstDefault), scope);
            } else {
                value = Undefined.hint("parameter " + Py.repr(p) + " was not provided");
            }
            scope.set(p, value);
        }
        if (extraKw.containsKey("caller")) {
            scope.set("caller", extraKw.remove("caller"));
        }
        List<Object> extraArgs = args.size() > params.size() ? args.subList(params.size(), args.size()) : List.of();
        if (!extraArgs.isEmpty() && !takesVarargs) {
            throw new TemplateException("macro " + Py.repr(name) + " takes not more than " + params.size() + " argument(s)");
        }
        if (!extraKw.isEmpty() && !takesKwargs) {
            throw new TemplateException("macro " + Py.repr(name) + " takes no keyword argument "
                    + Py.repr(extraKw.keySet().iterator().next()));
        }
        scope.set("varargs", new PyTuple(new ArrayList<>(extraArgs)));
        scope.set("kwargs", new LinkedHashMap<Object, Object>(extraKw));
        StringBuilder out = new StringBuilder();
        interpreter.exec(body, scope, out);
        return out.toString();
    }

    /** Whether any node below {@code node} reads the variable {@code variable}. */
    private static boolean mentions(Object node, String variable) {
        return switch (node) {
            case Ast.Var v -> v.name().equals(variable);
            case List<?> l -> l.stream().anyMatch(x -> mentions(x, variable));
            case Map<?, ?> m -> m.values().stream().anyMatch(x -> mentions(x, variable));
            case Record r -> {
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    try {
                        if (mentions(c.getAccessor().invoke(r), variable)) {
                            yield true;
                        }
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                }
                yield false;
            }
            case null, default -> false;
        };
    }

    @Override
    public String toString() {
        return "<Macro " + Py.repr(name) + ">";
    }
}
