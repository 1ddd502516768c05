package dev.pagoda.tokenizer.template;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits template source into tokens the way Jinja2's lexer does with {@code trim_blocks=True} and
 * {@code lstrip_blocks=True}: text, tag delimiters, and the expression tokens inside tags.
 * Comments vanish here; {@code {% raw %}} bodies become text.
 */
final class Lexer {
    enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    record Token(Kind kind, String value, int line) {
        boolean is(Kind k, String v) {
            return kind == k && value.equals(v);
        }

        boolean isName(String v) {
            return is(Kind.NAME, v);
        }

        boolean isOp(String v) {
            return is(Kind.OP, v);
        }
    }

    private static final Pattern FLOAT = Pattern.compile(
            "(?<!\\.)(\\d+_)*\\d+((\\.(\\d+_)*\\d+)?[eE][+\\-]?(\\d+_)*\\d+|\\.(\\d+_)*\\d+)");
    private static final Pattern INT = Pattern.compile(
            "(?i)(0b(_?[0-1])+|0o(_?[0-7])+|0x(_?[\\da-f])+|[1-9](_?\\d)*|0(_?0)*)");
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern STRING = Pattern.compile(
            "(?s)'([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\"");
    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", ">=", "<=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"
    };
    private static final Pattern RAW_BEGIN = Pattern.compile("\\{%([-+]?)\\s*raw\\s*(?:-%}\\s*|%})");
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*(?:\\+%}|-%}\\s*|%}\\n?)");

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    /** Whether the text that follows starts a line: lstrip_blocks only strips indentation there. */
    private boolean lineStarting = true;

    private Lexer(String source) {
        this.src = normalizeNewlines(source);
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.tokens;
    }

    /** Jinja2 turns \r\n and \r into \n and drops one trailing newline (keep_trailing_newline=False). */
    private static String normalizeNewlines(String s) {
        String n = s.replace("\r\n", "\n").replace('\r', '\n');
        return n.endsWith("\n") ? n.substring(0, n.length() - 1) : n;
    }

    private void run() {
        while (pos < src.length()) {
            int open = nextTagStart(pos);
            if (open < 0) {
                emit(Kind.TEXT, src.substring(pos));
                break;
            }
            char kind = src.charAt(open + 1);
            char sign = open + 2 < src.length() ? src.charAt(open + 2) : 0;
            boolean hasSign = sign == '-' || sign == '+';
            Matcher raw = RAW_BEGIN.matcher(src).region(open, src.length());
            boolean isRaw = kind == '%' && raw.lookingAt();
            emit(Kind.TEXT, stripBefore(src.substring(pos, open), hasSign ? sign : 0, kind != '{'));
            if (isRaw) {
                lexRaw(raw.end());
            } else if (kind == '#') {
                lexComment(open + 2 + (hasSign ? 1 : 0));
            } else {
                boolean block = kind == '%';
                emit(block ? Kind.BLOCK_BEGIN : Kind.VAR_BEGIN, block ? "{%" : "{{");
                advanceTo(open + 2 + (hasSign ? 1 : 0));
                lexTag(block);
            }
        }
        tokens.add(new Token(Kind.EOF, "", line));
    }

    private int nextTagStart(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whitespace control for the text before a tag: "-" strips all trailing whitespace; otherwise
     * lstrip_blocks removes spaces/tabs between the line start and a block or comment tag ("+" opts out).
     */
    private String stripBefore(String text, char sign, boolean lstripEligible) {
        if (sign == '-') {
            return Py.rstrip(text, null);
        }
        if (sign != '+' && lstripEligible) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && lineStart < text.length()
                    && Py.isAllWhitespace(text, lineStart)) {
                return text.substring(0, lineStart);
            }
        }
        return text;
    }

    private void lexRaw(int bodyStart) {
        Matcher end = RAW_END.matcher(src).region(bodyStart, src.length());
        if (!end.find()) {
            throw TemplateException.syntax(line, "Missing end of raw directive");
        }
        lineStarting = src.charAt(bodyStart - 1) == '\n';
        String sign = end.group(1);
        emit(Kind.TEXT, stripBefore(src.substring(bodyStart, end.start()), sign.isEmpty() ? 0 : sign.charAt(0), true));
        advanceTo(end.end());
    }

    private void lexComment(int bodyStart) {
        int close = src.indexOf("#}", bodyStart);
        if (close < 0) {
            throw TemplateException.syntax(line, "Missing end of comment tag");
        }
        char sign = close > bodyStart ? src.charAt(close - 1) : 0;
        int end = close + 2;
        if (sign == '-') {
            end = skipWhitespace(end);
        } else if (sign != '+' && end < src.length() && src.charAt(end) == '\n') {
            end++; // trim_blocks
        }
        advanceTo(end);
    }

    private void lexTag(boolean block) {
        String close = block ? "%}" : "}}";
        List<Character> balance = new ArrayList<>();
        while (true) {
            if (pos >= src.length()) {
                throw TemplateException.syntax(line, "unexpected end of template, expected '" + close + "'");
            }
            // Jinja2 only recognises the closing delimiter when brackets are balanced: {{ {'a': {}} }}.
            if (balance.isEmpty()) {
                if (block && src.startsWith("+%}", pos)) {
                    endTag(block, pos + 3);
                    return;
                }
                if (src.startsWith("-" + close, pos)) {
                    endTag(block, skipWhitespace(pos + 3));
                    return;
                }
                if (src.startsWith(close, pos)) {
                    int end = pos + 2;
                    if (block && end < src.length() && src.charAt(end) == '\n') {
                        end++; // trim_blocks
                    }
                    endTag(block, end);
                    return;
                }
            }
            char c = src.charAt(pos);
            if (Py.isWhitespace(c)) {
                advanceTo(pos + 1);
            } else if (!lexMatch(FLOAT, Kind.FLOAT) && !lexMatch(INT, Kind.INT) && !lexMatch(NAME, Kind.NAME)
                    && !lexString()) {
                lexOperator(balance);
            }
        }
    }

    private void endTag(boolean block, int end) {
        tokens.add(new Token(block ? Kind.BLOCK_END : Kind.VAR_END, "", line));
        advanceTo(end);
    }

    private boolean lexMatch(Pattern p, Kind kind) {
        Matcher m = p.matcher(src).region(pos, src.length()).useTransparentBounds(true);
        if (!m.lookingAt()) {
            return false;
        }
        // Numeric literals may contain "_" digit separators, as in Python.
        tokens.add(new Token(kind, kind == Kind.NAME ? m.group() : m.group().replace("_", ""), line));
        advanceTo(m.end());
        return true;
    }

    private boolean lexString() {
        Matcher m = STRING.matcher(src).region(pos, src.length());
        if (!m.lookingAt()) {
            return false;
        }
        String body = m.group(1) != null ? m.group(1) : m.group(2);
        tokens.add(new Token(Kind.STRING, unescape(body), line));
        advanceTo(m.end());
        return true;
    }

    private void lexOperator(List<Character> balance) {
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                char c = op.charAt(0);
                if (op.length() == 1 && "([{".indexOf(c) >= 0) {
                    balance.add(")]}".charAt("([{".indexOf(c)));
                } else if (op.length() == 1 && ")]}".indexOf(c) >= 0) {
                    if (balance.isEmpty()) {
                        throw TemplateException.syntax(line, "unexpected '" + op + "'");
                    }
                    char expected = balance.removeLast();
                    if (expected != c) {
                        throw TemplateException.syntax(line, "unexpected '" + op + "', expected '" + expected + "'");
                    }
                }
                tokens.add(new Token(Kind.OP, op, line));
                advanceTo(pos + op.length());
                return;
            }
        }
        throw TemplateException.syntax(line, "unexpected char '" + src.charAt(pos) + "'");
    }

    private int skipWhitespace(int from) {
        int i = from;
        while (i < src.length() && Py.isWhitespace(src.charAt(i))) {
            i++;
        }
        return i;
    }

    private void advanceTo(int end) {
        for (int i = pos; i < end; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        lineStarting = end > 0 && src.charAt(end - 1) == '\n';
        pos = end;
    }

    private void emit(Kind kind, String value) {
        if (!value.isEmpty()) {
            tokens.add(new Token(kind, value, line));
        }
    }

    /** Python "unicode-escape" decoding, which Jinja2 applies to string literals. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case '\n' -> { }
                case '\\', '\'', '"' -> out.append(e);
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    String hex = i + len < s.length() ? s.substring(i + 1, i + 1 + len) : "";
                    if (!hex.matches("[0-9a-fA-F]{" + len + "}")) {
                        throw new TemplateException("truncated \\" + e + " escape in string literal");
                    }
                    out.appendCodePoint(Integer.parseInt(hex, 16));
                    i += len;
                }
                case 'N' -> {
                    int close = s.indexOf('}', i);
                    if (i + 1 >= s.length() || s.charAt(i + 1) != '{' || close < 0) {
                        throw new TemplateException("malformed \\N character escape in string literal");
                    }
                    out.appendCodePoint(Character.codePointOf(s.substring(i + 2, close)));
                    i = close;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') {
                            end++;
                        }
                        out.appendCodePoint(Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }
}
