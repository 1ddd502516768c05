package dev.pagoda.sampling.guided;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicAutomata;
import dk.brics.automaton.BasicOperations;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON string literals as byte automata. A string is {@code "} characters {@code "}; each
 * character has one spelling: itself in UTF-8, or, where JSON requires an escape, the short
 * escape ({@code \" \\ \b \f \n \r \t}) or backslash-u00XX for the other controls. So one
 * character of the text is one character of the value, and length limits count exactly.
 */
final class JsonStrings {
    /** The formats the compiler writes exactly (as RFC 3339 / RFC 4122 / dotted quads). */
    static final Map<String, String> FORMATS = Map.of(
            "date", date(),
            "time", time(),
            "date-time", date() + "T" + time(),
            "uuid", "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            "ipv4", "(?:" + octet() + "\\.){3}" + octet());

    private static final CodePointSet CONTROLS = CodePointSet.range(0, 0x1F);
    private static final CodePointSet MUST_ESCAPE = CONTROLS.union(CodePointSet.chars("\"\\"));
    private static final Map<Integer, String> SHORT_ESCAPES = Map.of(
            (int) '"', "\\\"", (int) '\\', "\\\\", (int) '\b', "\\b", (int) '\f', "\\f",
            (int) '\n', "\\n", (int) '\r', "\\r", (int) '\t', "\\t");

    private static final Automaton CHAR = encode(CodePointSet.ALL);
    private static final Automaton QUOTE = BasicAutomata.makeChar('"');

    private JsonStrings() {
    }

    /**
     * The body encoding of a set of code points, for a pattern matched inside a string: each
     * member as itself, or escaped when JSON requires it (backslash-u00XX for controls without a
     * short escape).
     */
    static Automaton encode(CodePointSet set) {
        List<Automaton> parts = new ArrayList<>();
        CodePointSet plain = set.minus(MUST_ESCAPE);
        if (!plain.isEmpty()) parts.add(Utf8Automata.codePoints(plain));
        CodePointSet escaped = set.intersect(MUST_ESCAPE);
        for (int r = 0; r < escaped.rangeCount(); r++) {
            for (int cp = escaped.lo(r); cp <= escaped.hi(r); cp++) {
                String e = SHORT_ESCAPES.getOrDefault(cp, String.format("\\u%04x", cp));
                parts.add(BasicAutomata.makeString(e));
            }
        }
        if (parts.isEmpty()) return BasicAutomata.makeEmpty();
        Automaton a = BasicOperations.union(parts);
        a.minimize();
        return a;
    }

    /** A string of min to max characters (max -1: unbounded). */
    static Automaton string(int min, int max) {
        return quoted(body(min, max));
    }

    /** Bodies of min to max characters (max -1: unbounded). */
    static Automaton body(int min, int max) {
        return Repetition.of(CHAR, min, max);
    }

    static Automaton quoted(Automaton body) {
        return QUOTE.concatenate(body).concatenate(QUOTE);
    }

    /** Strings whose value fully matches the regex (and, if given, has min to max characters). */
    static Automaton pattern(String regex, int min, int max) {
        Automaton body = RegexParser.parse(regex, JsonStrings::encode);
        if (min > 0 || max >= 0) body = body.intersection(body(min, max));
        return quoted(body);
    }

    /** Strings in a supported format, or null if the format is not one of {@link #FORMATS}. */
    static Automaton format(String format) {
        String regex = FORMATS.get(format);
        return regex == null ? null : quoted(RegexParser.parse(regex));
    }

    /** yyyy-mm-dd, a real calendar date (February 29 only in leap years). */
    private static String date() {
        String year = "[0-9]{4}";
        String leapYear = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)";
        String upTo28 = "(?:0[1-9]|1[0-9]|2[0-8])";
        return "(?:" + year + "-(?:(?:0[1-9]|1[0-2])-" + upTo28
                + "|(?:0[13-9]|1[0-2])-(?:29|30)"
                + "|(?:0[13578]|1[02])-31)"
                + "|" + leapYear + "-02-29)";
    }

    /** hh:mm:ss with optional fraction and a required offset (RFC 3339 full-time; no leap second). */
    private static String time() {
        String hour = "(?:[01][0-9]|2[0-3])";
        // Offsets within java.time's +-18:00; not "-00:00" (RFC 3339's "offset unknown", which validators reject).
        String offset = "(?:\\+(?:(?:0[0-9]|1[0-7]):[0-5][0-9]|18:00)|-(?:(?:0[1-9]|1[0-7]):[0-5][0-9]|00:(?:0[1-9]|[1-5][0-9])|18:00))";
        return hour + ":[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?(?:Z|" + offset + ")";
    }

    private static String octet() {
        return "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    }
}
