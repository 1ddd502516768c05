package dev.pagoda.tokenizer.template;

import dev.pagoda.tokenizer.template.Ast.*;
import dev.pagoda.tokenizer.template.Lexer.Kind;
import dev.pagoda.tokenizer.template.Lexer.Token;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recursive-descent parser following Jinja2's grammar and operator precedence (including its quirks,
 * e.g. {@code -x|f} filters the negation and {@code not a is b} negates the test).
 */
final class Parser {
    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final List<Token> tokens;
    private int pos;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Stmt> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Stmt> body = p.subparse(Set.of());
        if (p.current().kind() != Kind.EOF) {
            throw p.error("unexpected '" + p.current().value() + "'");
        }
        return body;
    }

    // ---- token stream ----

    private Token current() {
        return tokens.get(pos);
    }

    private Token peek() {
        return tokens.get(Math.min(pos + 1, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind() != Kind.EOF) {
            pos++;
        }
        return t;
    }

    private boolean skipOp(String op) {
        if (current().isOp(op)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (current().isName(name)) {
            pos++;
            return true;
        }
        return false;
    }

    private Token expect(Kind kind, String value) {
        Token t = current();
        if (t.kind() != kind || (value != null && !t.value().equals(value))) {
            throw error("expected " + (value != null ? "'" + value + "'" : describe(kind)) + ", got " + describe(t));
        }
        return next();
    }

    private String expectName() {
        return expect(Kind.NAME, null).value();
    }

    private static String describe(Kind kind) {
        return switch (kind) {
            case BLOCK_END -> "end of statement block";
            case VAR_END -> "end of print statement";
            case EOF -> "end of template";
            default -> kind.name().toLowerCase();
        };
    }

    private static String describe(Token t) {
        return switch (t.kind()) {
            case NAME, OP, INT, FLOAT -> "'" + t.value() + "'";
            case STRING -> "string";
            default -> describe(t.kind());
        };
    }

    private TemplateException error(String message) {
        return TemplateException.syntax(current().line(), message);
    }

    // ---- statements ----

    /** Parses until a block tag whose first name is in {@code endTags} (left unconsumed) or EOF. */
    private List<Stmt> subparse(Set<String> endTags) {
        List<Stmt> body = new ArrayList<>();
        while (true) {
            Token t = current();
            switch (t.kind()) {
                case TEXT -> body.add(new Text(next().value()));
                case VAR_BEGIN -> {
                    next();
                    body.add(new Print(parseTuple(true, Set.of(), false)));
                    expect(Kind.VAR_END, null);
                }
                case BLOCK_BEGIN -> {
                    next();
                    if (current().kind() == Kind.NAME && endTags.contains(current().value())) {
                        return body;
                    }
                    parseStatement(body);
                    expect(Kind.BLOCK_END, null);
                }
                case EOF -> {
                    if (!endTags.isEmpty()) {
                        throw error("unexpected end of template, expected one of " + endTags);
                    }
                    return body;
                }
                default -> throw error("unexpected " + describe(t));
            }
        }
    }

    /** Parses the rest of the current tag, then the body up to one of {@code endTags}. */
    private List<Stmt> parseBody(Set<String> endTags, boolean dropEndTag) {
        expect(Kind.BLOCK_END, null);
        List<Stmt> body = subparse(endTags);
        if (dropEndTag) {
            next();
        }
        return body;
    }

    private void parseStatement(List<Stmt> out) {
        Token t = current();
        if (t.kind() != Kind.NAME) {
            throw error("tag name expected");
        }
        next();
        switch (t.value()) {
            case "if" -> out.add(parseIf());
            case "for" -> out.add(parseFor());
            case "set" -> out.add(parseSet());
            case "macro" -> out.add(parseMacro());
            case "call" -> out.add(parseCallBlock());
            case "filter" -> out.add(new FilterBlock(parseFilter(null, true), parseBody(Set.of("endfilter"), true)));
            case "with" -> out.add(parseWith());
            case "break" -> out.add(new Break());
            case "continue" -> out.add(new Continue());
            // transformers' AssistantTracker tag: outside of assistant-mask tracking it just renders its body.
            case "generation" -> out.addAll(parseBody(Set.of("endgeneration"), true));
            default -> {
                pos--;
                throw error("Encountered unknown tag '" + t.value() + "'.");
            }
        }
    }

    private Stmt parseIf() {
        List<Expr> tests = new ArrayList<>();
        List<List<Stmt>> bodies = new ArrayList<>();
        List<Stmt> orElse = List.of();
        tests.add(parseTuple(false, Set.of(), false));
        while (true) {
            bodies.add(parseBody(Set.of("elif", "else", "endif"), false));
            String tag = next().value();
            if (tag.equals("elif")) {
                tests.add(parseTuple(false, Set.of(), false));
                continue;
            }
            if (tag.equals("else")) {
                orElse = parseBody(Set.of("endif"), true);
            }
            return new If(tests, bodies, orElse);
        }
    }

    private Stmt parseFor() {
        Target target = parseAssignTarget(Set.of("in"), false);
        expect(Kind.NAME, "in");
        Expr iterable = parseTuple(false, Set.of("recursive"), false);
        Expr filter = skipName("if") ? parseExpression(true) : null;
        if (current().isName("recursive")) {
            throw error("recursive for loops are not supported");
        }
        List<Stmt> body = parseBody(Set.of("endfor", "else"), false);
        List<Stmt> orElse = next().value().equals("else") ? parseBody(Set.of("endfor"), true) : List.of();
        return new For(target, iterable, filter, body, orElse);
    }

    private Stmt parseSet() {
        Target target = parseAssignTarget(Set.of(), true);
        if (skipOp("=")) {
            return new Assign(target, parseTuple(true, Set.of(), false));
        }
        Expr filter = current().isOp("|") ? parseFilter(null, false) : null;
        return new AssignBlock(target, parseBody(Set.of("endset"), true), filter);
    }

    private Stmt parseMacro() {
        String name = expectName();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        parseSignature(params, defaults);
        return new MacroDef(name, params, defaults, parseBody(Set.of("endmacro"), true));
    }

    private void parseSignature(List<String> params, List<Expr> defaults) {
        expect(Kind.OP, "(");
        while (!current().isOp(")")) {
            if (!params.isEmpty()) {
                expect(Kind.OP, ",");
            }
            params.add(expectName());
            if (skipOp("=")) {
                defaults.add(parseExpression(true));
            } else if (!defaults.isEmpty()) {
                throw error("non-default argument follows default argument");
            }
        }
        expect(Kind.OP, ")");
    }

    private Stmt parseCallBlock() {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (current().isOp("(")) {
            parseSignature(params, defaults);
        }
        if (!(parseExpression(true) instanceof Call call)) {
            throw error("expected call");
        }
        return new CallBlock(call, params, defaults, parseBody(Set.of("endcall"), true));
    }

    private Stmt parseWith() {
        List<Target> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (current().kind() != Kind.BLOCK_END) {
            if (!targets.isEmpty()) {
                expect(Kind.OP, ",");
            }
            targets.add(parseAssignTarget(Set.of(), false));
            expect(Kind.OP, "=");
            values.add(parseExpression(true));
        }
        return new With(targets, values, parseBody(Set.of("endwith"), true));
    }

    private Target parseAssignTarget(Set<String> extraEnd, boolean withNamespace) {
        if (withNamespace && current().kind() == Kind.NAME && peek().isOp(".")) {
            String object = next().value();
            next();
            return new AttrTarget(object, expectName());
        }
        return toTarget(parseTuple(true, extraEnd, false, true));
    }

    private Target toTarget(Expr e) {
        return switch (e) {
            case Var v -> new NameTarget(v.name());
            case TupleExpr t -> new TupleTarget(t.items().stream().map(this::toTarget).toList());
            default -> throw error("can't assign to " + e.getClass().getSimpleName().toLowerCase());
        };
    }

    // ---- expressions ----

    private Expr parseTuple(boolean withCondExpr, Set<String> extraEnd, boolean explicitParens) {
        return parseTuple(withCondExpr, extraEnd, explicitParens, false);
    }

    /** A comma-separated list of expressions; a single one without a trailing comma is not a tuple. */
    private Expr parseTuple(boolean withCondExpr, Set<String> extraEnd, boolean explicitParens, boolean simplified) {
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) {
                expect(Kind.OP, ",");
            }
            if (isTupleEnd(extraEnd)) {
                break;
            }
            items.add(simplified ? parsePrimary() : parseExpression(withCondExpr));
            if (current().isOp(",")) {
                isTuple = true;
            } else {
                break;
            }
        }
        if (!isTuple) {
            if (!items.isEmpty()) {
                return items.getFirst();
            }
            if (!explicitParens) {
                throw error("Expected an expression, got " + describe(current()));
            }
        }
        return new TupleExpr(items);
    }

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token t = current();
        return t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")")
                || (t.kind() == Kind.NAME && extraEnd.contains(t.value()));
    }

    private Expr parseExpression(boolean withCondExpr) {
        return withCondExpr ? parseCondExpr() : parseOr();
    }

    private Expr parseCondExpr() {
        Expr expr = parseOr();
        while (skipName("if")) {
            Expr test = parseOr();
            Expr orElse = skipName("else") ? parseCondExpr() : null;
            expr = new Conditional(test, expr, orElse);
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (skipName("or")) {
            left = new Binary("or", left, parseAnd());
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (skipName("and")) {
            left = new Binary("and", left, parseNot());
        }
        return left;
    }

    private Expr parseNot() {
        if (skipName("not")) {
            return new Unary("not", parseNot());
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = current();
            if (t.kind() == Kind.OP && COMPARE_OPS.contains(t.value())) {
                next();
                ops.add(t.value());
            } else if (skipName("in")) {
                ops.add("in");
            } else if (t.isName("not") && peek().isName("in")) {
                pos += 2;
                ops.add("not in");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Compare(first, ops, operands);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (current().isOp("+") || current().isOp("-")) {
            left = new Binary(next().value(), left, parseConcat());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (skipOp("~")) {
            left = new Binary("~", left, parseMath2());
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (current().isOp("*") || current().isOp("/") || current().isOp("//") || current().isOp("%")) {
            left = new Binary(next().value(), left, parsePow());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (skipOp("**")) {
            left = new Binary("**", left, parseUnary(true));
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Expr node;
        if (current().isOp("-") || current().isOp("+")) {
            String op = next().value();
            node = new Unary(op, parseUnary(false));
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        return withFilter ? parseFilterExpr(node) : node;
    }

    private Expr parsePrimary() {
        Token t = next();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.value()) {
                    case "true", "True" -> new Literal(true);
                    case "false", "False" -> new Literal(false);
                    case "none", "None" -> new Literal(null);
                    default -> new Var(t.value());
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.value());
                while (current().kind() == Kind.STRING) {
                    sb.append(next().value());
                }
                return new Literal(sb.toString());
            }
            case INT -> {
                return new Literal(parseInt(t.value()));
            }
            case FLOAT -> {
                return new Literal(Double.parseDouble(t.value()));
            }
            case OP -> {
                switch (t.value()) {
                    case "(" -> {
                        Expr e = parseTuple(true, Set.of(), true);
                        expect(Kind.OP, ")");
                        return e;
                    }
                    case "[" -> {
                        return new ListExpr(parseItems("]", false, null));
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        return new DictExpr(keys, parseItems("}", true, keys));
                    }
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
        pos--;
        throw error("unexpected " + describe(t));
    }

    private static long parseInt(String s) {
        String lower = s.toLowerCase();
        try {
            if (lower.startsWith("0x")) {
                return Long.parseLong(lower.substring(2), 16);
            } else if (lower.startsWith("0o")) {
                return Long.parseLong(lower.substring(2), 8);
            } else if (lower.startsWith("0b")) {
                return Long.parseLong(lower.substring(2), 2);
            }
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new TemplateException("integer literal too large: " + s);
        }
    }

    /** List or dict literal items up to {@code close}; a trailing comma is allowed. */
    private List<Expr> parseItems(String close, boolean dict, List<Expr> keys) {
        List<Expr> values = new ArrayList<>();
        while (!current().isOp(close)) {
            if (!values.isEmpty()) {
                expect(Kind.OP, ",");
            }
            if (current().isOp(close)) {
                break;
            }
            if (dict) {
                keys.add(parseExpression(true));
                expect(Kind.OP, ":");
            }
            values.add(parseExpression(true));
        }
        expect(Kind.OP, close);
        return values;
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            if (current().isOp(".") || current().isOp("[")) {
                node = parseSubscript(node);
            } else if (current().isOp("(")) {
                node = new Call(node, parseCallArgs());
            } else {
                return node;
            }
        }
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            if (current().isOp("|")) {
                node = parseFilter(node, false);
            } else if (current().isName("is")) {
                node = parseTest(node);
            } else if (current().isOp("(")) {
                node = new Call(node, parseCallArgs());
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr node) {
        if (skipOp(".")) {
            Token attr = next();
            if (attr.kind() == Kind.NAME) {
                return new Attr(node, attr.value());
            }
            if (attr.kind() != Kind.INT) {
                throw error("expected name or number");
            }
            return new Item(node, new Literal(parseInt(attr.value())));
        }
        expect(Kind.OP, "[");
        List<Expr> args = new ArrayList<>();
        while (!current().isOp("]")) {
            if (!args.isEmpty()) {
                expect(Kind.OP, ",");
            }
            args.add(parseSubscribed(node));
        }
        expect(Kind.OP, "]");
        if (args.size() == 1) {
            return args.getFirst() instanceof Slice s ? s : new Item(node, args.getFirst());
        }
        return new Item(node, new TupleExpr(args));
    }

    /** One subscript: an expression or a slice {@code start:stop:step} with any part omitted. */
    private Expr parseSubscribed(Expr object) {
        Expr start = null;
        if (!skipOp(":")) {
            start = parseExpression(true);
            if (!skipOp(":")) {
                return start;
            }
        }
        Expr stop = current().isOp(":") || current().isOp("]") || current().isOp(",") ? null : parseExpression(true);
        Expr step = null;
        if (skipOp(":") && !current().isOp("]") && !current().isOp(",")) {
            step = parseExpression(true);
        }
        return new Slice(object, start, stop, step);
    }

    private Args parseCallArgs() {
        expect(Kind.OP, "(");
        List<Expr> positional = new ArrayList<>();
        Map<String, Expr> keyword = new LinkedHashMap<>();
        while (!current().isOp(")")) {
            if (!positional.isEmpty() || !keyword.isEmpty()) {
                expect(Kind.OP, ",");
                if (current().isOp(")")) {
                    break;
                }
            }
            if (current().kind() == Kind.NAME && peek().isOp("=")) {
                String key = next().value();
                next();
                keyword.put(key, parseExpression(true));
            } else {
                if (!keyword.isEmpty()) {
                    throw error("Invalid argument syntax: positional argument follows keyword argument");
                }
                positional.add(parseExpression(true));
            }
        }
        expect(Kind.OP, ")");
        return new Args(positional, keyword);
    }

    /** {@code |f1(args)|f2...}; {@code startInline} means the first "|" is already consumed (filter blocks). */
    private Expr parseFilter(Expr node, boolean startInline) {
        boolean first = startInline;
        while (current().isOp("|") || first) {
            if (!first) {
                next();
            }
            first = false;
            String name = expectName();
            node = new Filter(node, name, current().isOp("(") ? parseCallArgs() : Args.NONE);
        }
        return node;
    }

    private Expr parseTest(Expr node) {
        next(); // "is"
        boolean negated = skipName("not");
        String name = expectName();
        Args args = Args.NONE;
        Token t = current();
        if (t.isOp("(")) {
            args = parseCallArgs();
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INT || t.kind() == Kind.FLOAT
                || t.isOp("[") || t.isOp("{")) && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            // Jinja2 accepts one unparenthesised argument: "x is divisibleby 3", "x is sameas none".
            if (t.isName("is")) {
                throw error("You cannot chain multiple tests with is");
            }
            args = new Args(List.of(parsePostfix(parsePrimary())), Map.of());
        }
        Expr test = new Test(node, name, args);
        return negated ? new Unary("not", test) : test;
    }
}
