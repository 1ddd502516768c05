package dev.pagoda.sampling.guided;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicAutomata;
import dk.brics.automaton.BasicOperations;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Parses a regular expression in the common Python/Java/ECMAScript syntax into an automaton of
 * the whole-string (full) match. Supported: literals and escapes ({@code \n \t \r \f \v \xHH
 * backslash-uHHHH \x{H...}} and escaped punctuation), classes with ranges and negation, {@code \d \w \s}
 * and their complements (ASCII, as Java's defaults), {@code .} (anything but a line
 * terminator, as Java), groups (capturing, {@code (?:...)} and named), alternation, greedy and
 * lazy quantifiers, and {@code ^}/{@code $} at the ends of the pattern. Everything else that
 * changes the matched language (lookaround, backreferences, word boundaries, inline flags,
 * possessive and atomic forms, Unicode properties) is a {@link GrammarException} naming it.
 *
 * <p>Each set of code points the pattern matches at one position becomes bytes through
 * {@code encoder}: plain UTF-8 for {@code guided_regex}, JSON string escaping for a schema's
 * {@code pattern}.
 */
final class RegexParser {
    /** Upper bound on a counted repetition, so that {@code a{1000000}} cannot exhaust memory. */
    static final int MAX_REPEAT = 10_000;

    private static final CodePointSet DIGIT = CodePointSet.range('0', '9');
    private static final CodePointSet WORD = CodePointSet.range('a', 'z').union(CodePointSet.range('A', 'Z'))
            .union(DIGIT).union(CodePointSet.of('_'));
    private static final CodePointSet SPACE = CodePointSet.chars(" \t\n\u000B\f\r");
    private static final CodePointSet LINE_TERMINATORS = CodePointSet.chars("\n\r\u0085\u2028\u2029");

    private final String pattern;
    private final Function<CodePointSet, Automaton> encoder;
    private int pos;
    private int depth;

    private RegexParser(String pattern, Function<CodePointSet, Automaton> encoder) {
        this.pattern = pattern;
        this.encoder = encoder;
    }

    /** The bytes (UTF-8) of the strings that fully match {@code pattern}. */
    static Automaton parse(String pattern) {
        return parse(pattern, Utf8Automata::codePoints);
    }

    static Automaton parse(String pattern, Function<CodePointSet, Automaton> encoder) {
        RegexParser p = new RegexParser(pattern, encoder);
        Automaton a = p.alternation();
        if (p.pos < pattern.length()) throw p.error("unbalanced ')'");
        Minimizer.shrink(a);
        return a;
    }

    private Automaton alternation() {
        List<Automaton> branches = new ArrayList<>();
        branches.add(sequence());
        while (more() && peek() == '|') {
            pos++;
            branches.add(sequence());
        }
        return branches.size() == 1 ? branches.getFirst() : BasicOperations.union(branches);
    }

    private Automaton sequence() {
        List<Automaton> items = new ArrayList<>();
        boolean atStart = true;
        while (more() && peek() != '|' && peek() != ')') {
            char c = peek();
            if (c == '^') {
                if (depth > 0 || !atStart) throw unsupported("'^' anchor inside the pattern");
                pos++;
                continue;
            }
            if (c == '$') {
                pos++;
                if (depth > 0 || (more() && peek() != '|')) throw unsupported("'$' anchor inside the pattern");
                continue;
            }
            atStart = false;
            items.add(quantified(atom()));
        }
        return items.isEmpty() ? BasicAutomata.makeEmptyString() : BasicOperations.concatenate(items);
    }

    private Automaton quantified(Automaton atom) {
        while (more()) {
            char c = peek();
            int min;
            int max; // -1: unbounded
            if (c == '*') {
                pos++;
                min = 0;
                max = -1;
            } else if (c == '+') {
                pos++;
                min = 1;
                max = -1;
            } else if (c == '?') {
                pos++;
                min = 0;
                max = 1;
            } else if (c == '{' && isCountedRepeat()) {
                pos++;
                min = number(0);
                max = min;
                if (peek() == ',') {
                    pos++;
                    max = peek() == '}' ? -1 : number(-1);
                }
                expect('}');
                if (max >= 0 && max < min) throw error("repetition {" + min + "," + max + "} has max below min");
            } else {
                return atom;
            }
            if (more() && peek() == '?') pos++; // lazy: same language
            else if (more() && peek() == '+') throw unsupported("possessive quantifier");
            if (min > MAX_REPEAT || max > MAX_REPEAT) throw unsupported("repetition count above " + MAX_REPEAT);
            atom = Repetition.of(atom, min, max);
        }
        return atom;
    }

    /** Whether a '{' here opens a valid {n}, {n,}, {n,m} or {,m}; otherwise it is a literal brace. */
    private boolean isCountedRepeat() {
        int end = pattern.indexOf('}', pos);
        if (end < 0) return false;
        String body = pattern.substring(pos + 1, end);
        return body.matches("\\d+(,\\d*)?|,\\d+");
    }

    private int number(int ifAbsent) {
        int start = pos;
        while (more() && Character.isDigit(peek())) pos++;
        if (start == pos) return ifAbsent == -1 ? -1 : 0;
        try {
            return Integer.parseInt(pattern.substring(start, pos));
        } catch (NumberFormatException e) {
            throw unsupported("repetition count above " + MAX_REPEAT);
        }
    }

    private Automaton atom() {
        char c = peek();
        switch (c) {
            case '(' -> {
                return group();
            }
            case '[' -> {
                return encoder.apply(charClass());
            }
            case '.' -> {
                pos++;
                return encoder.apply(LINE_TERMINATORS.complement());
            }
            case '\\' -> {
                return escapeAtom();
            }
            case '*', '+', '?' -> throw error("nothing to repeat before '" + c + "'");
            default -> {
                int cp = pattern.codePointAt(pos);
                pos += Character.charCount(cp);
                return encoder.apply(CodePointSet.of(cp));
            }
        }
    }

    private Automaton group() {
        pos++; // (
        if (pattern.startsWith("?", pos)) {
            if (pattern.startsWith("?:", pos)) {
                pos += 2;
            } else if (pattern.startsWith("?P<", pos) || (pattern.startsWith("?<", pos)
                    && !pattern.startsWith("?<=", pos) && !pattern.startsWith("?<!", pos))) {
                int close = pattern.indexOf('>', pos);
                if (close < 0) throw error("unterminated group name");
                pos = close + 1;
            } else if (pattern.startsWith("?=", pos) || pattern.startsWith("?!", pos)
                    || pattern.startsWith("?<=", pos) || pattern.startsWith("?<!", pos)) {
                throw unsupported("lookaround '(" + pattern.substring(pos, Math.min(pos + 3, pattern.length())) + "'");
            } else if (pattern.startsWith("?>", pos)) {
                throw unsupported("atomic group '(?>'");
            } else if (pattern.startsWith("?P=", pos)) {
                throw unsupported("backreference '(?P='");
            } else {
                throw unsupported("inline flags or group syntax '(" + pattern.substring(pos, Math.min(pos + 3, pattern.length())) + "'");
            }
        }
        depth++;
        Automaton inner = alternation();
        depth--;
        expect(')');
        return inner;
    }

    private Automaton escapeAtom() {
        pos++; // backslash
        if (!more()) throw error("pattern ends with '\\'");
        char c = peek();
        switch (c) {
            case 'b', 'B' -> throw unsupported("word boundary '\\" + c + "'");
            case 'A', 'Z', 'z', 'G' -> throw unsupported("anchor '\\" + c + "'");
            case 'p', 'P' -> throw unsupported("Unicode property '\\" + c + "'");
            case 'k' -> throw unsupported("backreference '\\k'");
            default -> {
                if (c >= '1' && c <= '9') throw unsupported("backreference '\\" + c + "'");
                return encoder.apply(escapeSet());
            }
        }
    }

    /** An escape after the backslash, inside or outside a class: a class shorthand or one code point. */
    private CodePointSet escapeSet() {
        char c = pattern.charAt(pos++);
        return switch (c) {
            case 'd' -> DIGIT;
            case 'D' -> DIGIT.complement();
            case 'w' -> WORD;
            case 'W' -> WORD.complement();
            case 's' -> SPACE;
            case 'S' -> SPACE.complement();
            case 'n' -> CodePointSet.of('\n');
            case 't' -> CodePointSet.of('\t');
            case 'r' -> CodePointSet.of('\r');
            case 'f' -> CodePointSet.of('\f');
            case 'v' -> CodePointSet.of(0x0B);
            case 'a' -> CodePointSet.of(0x07);
            case 'e' -> CodePointSet.of(0x1B);
            case '0' -> CodePointSet.of(0);
            case 'x' -> CodePointSet.of(hexEscape());
            case 'u' -> CodePointSet.of(utf16Escape());
            default -> {
                if (Character.isLetterOrDigit(c)) throw unsupported("escape '\\" + c + "'");
                pos--;
                int cp = pattern.codePointAt(pos);
                pos += Character.charCount(cp);
                yield CodePointSet.of(cp);
            }
        };
    }

    /** Backslash-u HHHH, joining a surrogate pair written as two such escapes into one code point. */
    private int utf16Escape() {
        int unit = hex(4);
        if (Character.isHighSurrogate((char) unit) && pattern.startsWith("\\u", pos)) {
            int save = pos;
            pos += 2;
            int low = hex(4);
            if (Character.isLowSurrogate((char) low)) return Character.toCodePoint((char) unit, (char) low);
            pos = save;
        }
        return unit;
    }

    private int hexEscape() {
        if (more() && peek() == '{') {
            int close = pattern.indexOf('}', pos);
            if (close < 0) throw error("unterminated \\x{...}");
            String digits = pattern.substring(pos + 1, close);
            pos = close + 1;
            try {
                int cp = Integer.parseInt(digits, 16);
                if (cp > CodePointSet.MAX) throw error("code point \\x{" + digits + "} out of range");
                return cp;
            } catch (NumberFormatException e) {
                throw error("bad hex escape \\x{" + digits + "}");
            }
        }
        return hex(2);
    }

    private int hex(int digits) {
        if (pos + digits > pattern.length()) throw error("truncated hex escape");
        String s = pattern.substring(pos, pos + digits);
        pos += digits;
        try {
            return Integer.parseInt(s, 16);
        } catch (NumberFormatException e) {
            throw error("bad hex escape '" + s + "'");
        }
    }

    private CodePointSet charClass() {
        int start = pos;
        pos++; // [
        boolean negate = false;
        if (more() && peek() == '^') {
            negate = true;
            pos++;
        }
        CodePointSet set = CodePointSet.EMPTY;
        boolean first = true;
        while (true) {
            if (!more()) throw error("unterminated character class starting at " + start);
            char c = peek();
            if (c == ']' && !first) {
                pos++;
                break;
            }
            first = false;
            if (c == '[') {
                if (pattern.startsWith("[:", pos)) throw unsupported("POSIX class '[:'");
                throw unsupported("nested character class");
            }
            if (c == '&' && pattern.startsWith("&&", pos)) throw unsupported("class intersection '&&'");
            CodePointSet item = classItem();
            // A range a-b: both ends single code points; '-' first, last or after a shorthand is literal.
            if (more() && peek() == '-' && pos + 1 < pattern.length() && pattern.charAt(pos + 1) != ']') {
                int lo = single(item);
                if (lo >= 0) {
                    pos++; // -
                    int hi = single(classItem());
                    if (hi < 0) throw error("bad range in character class");
                    if (hi < lo) throw error("range out of order in character class");
                    item = CodePointSet.range(lo, hi);
                }
            }
            set = set.union(item);
        }
        return negate ? set.complement() : set;
    }

    private CodePointSet classItem() {
        if (peek() == '\\') {
            pos++;
            if (!more()) throw error("pattern ends with '\\'");
            char c = peek();
            if (c == 'b') {
                pos++;
                return CodePointSet.of(0x08); // backspace inside a class
            }
            if (c == 'p' || c == 'P') throw unsupported("Unicode property '\\" + c + "'");
            return escapeSet();
        }
        int cp = pattern.codePointAt(pos);
        pos += Character.charCount(cp);
        return CodePointSet.of(cp);
    }

    private static int single(CodePointSet s) {
        return s.rangeCount() == 1 && s.lo(0) == s.hi(0) ? s.lo(0) : -1;
    }

    private boolean more() {
        return pos < pattern.length();
    }

    private char peek() {
        return pattern.charAt(pos);
    }

    private void expect(char c) {
        if (!more() || peek() != c) throw error("expected '" + c + "'");
        pos++;
    }

    private GrammarException error(String what) {
        return new GrammarException("invalid regex " + quote() + ": " + what + " at offset " + pos);
    }

    private GrammarException unsupported(String feature) {
        return new GrammarException("unsupported regex feature: " + feature + " in " + quote());
    }

    private String quote() {
        return "'" + (pattern.length() > 80 ? pattern.substring(0, 77) + "..." : pattern) + "'";
    }
}
