package dev.pagoda.tokenizer.template;

import java.util.List;
import java.util.Map;

/** The parsed template: statements (tags and text) and expressions, mirroring Jinja2's node types. */
final class Ast {
    private Ast() {
    }

    // ---- statements ----

    sealed interface Stmt {
    }

    record Text(String text) implements Stmt {
    }

    record Print(Expr expr) implements Stmt {
    }

    record If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> orElse) implements Stmt {
    }

    record For(Target target, Expr iterable, Expr filter, List<Stmt> body, List<Stmt> orElse) implements Stmt {
    }

    record Assign(Target target, Expr value) implements Stmt {
    }

    /** {@code {% set x %}...{% endset %}}, optionally piped through filters. */
    record AssignBlock(Target target, List<Stmt> body, Expr filter) implements Stmt {
    }

    record MacroDef(String name, List<String> params, List<Expr> defaults, List<Stmt> body) implements Stmt {
    }

    /** {@code {% call(params) macro(args) %}body{% endcall %}}: the body becomes the macro's {@code caller()}. */
    record CallBlock(Call call, List<String> params, List<Expr> defaults, List<Stmt> body) implements Stmt {
    }

    /** {@code {% filter f %}body{% endfilter %}}: {@code filter} is a Filter chain whose innermost value is null. */
    record FilterBlock(Expr filter, List<Stmt> body) implements Stmt {
    }

    record With(List<Target> targets, List<Expr> values, List<Stmt> body) implements Stmt {
    }

    record Break() implements Stmt {
    }

    record Continue() implements Stmt {
    }

    // ---- assignment targets ----

    sealed interface Target {
    }

    record NameTarget(String name) implements Target {
    }

    /** {@code ns.attr}: assignment into a namespace object. */
    record AttrTarget(String object, String attribute) implements Target {
    }

    record TupleTarget(List<Target> items) implements Target {
    }

    // ---- expressions ----

    sealed interface Expr {
    }

    record Literal(Object value) implements Expr {
    }

    record Var(String name) implements Expr {
    }

    record Attr(Expr object, String name) implements Expr {
    }

    record Item(Expr object, Expr key) implements Expr {
    }

    record Slice(Expr object, Expr start, Expr stop, Expr step) implements Expr {
    }

    record Args(List<Expr> positional, Map<String, Expr> keyword) {
        static final Args NONE = new Args(List.of(), Map.of());
    }

    record Call(Expr function, Args args) implements Expr {
    }

    /** {@code value|name(args)}; value is null for the innermost filter of a filter block. */
    record Filter(Expr value, String name, Args args) implements Expr {
    }

    record Test(Expr value, String name, Args args) implements Expr {
    }

    /** Unary "-", "+" and "not". */
    record Unary(String op, Expr operand) implements Expr {
    }

    /** Arithmetic, "~" concatenation, and the short-circuit "and"/"or". */
    record Binary(String op, Expr left, Expr right) implements Expr {
    }

    /** A comparison chain: {@code a < b <= c} means {@code a < b and b <= c}. */
    record Compare(Expr first, List<String> ops, List<Expr> operands) implements Expr {
    }

    record Conditional(Expr test, Expr then, Expr orElse) implements Expr {
    }

    record ListExpr(List<Expr> items) implements Expr {
    }

    record TupleExpr(List<Expr> items) implements Expr {
    }

    record DictExpr(List<Expr> keys, List<Expr> values) implements Expr {
    }
}
