package dev.pagoda.sampling.guided;

import org.junit.jupiter.api.Test;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The byte automaton of a regex against java.util.regex, both ways, plus the features it refuses. */
class RegexParserTest {
    static final List<String> PATTERNS = List.of(
            "abc", "a|b|cd", "(ab)*c+", "[a-z]{2,4}", "\\d{3}-\\d{4}", "[^a-c]x?", "(?:foo|bar)+baz",
            "\\w+@\\w+\\.com", ".{0,3}", "[é-ü]+", "日本語?", "[\\u4e00-\\u9fff]{1,2}", "\\s*\\S", "x{2,}y{0,1}",
            "(a|)b", "[\\-+]?[0-9]+(\\.[0-9]*)?", "^abc$", "a{3}", "[]a]", "[a-]b", "😀|[\\x{1F600}-\\x{1F64F}]c",
            "(?<name>q)r", "\\.\\*\\?\\(\\)", "[\\d\\s]+", "[^\\w]", "a*?b+?", "\\t\\n", "[A-Fa-f0-9]{4}", "(x|y|z){1,3}",
            "\\ud83d\\ude00|[\\ud83d\\ude03]");
    static final String ALPHABET = "abcdefxyzqr0123456789-+.@ _éüö日本語😀😃\t\n*?()[]中";

    @Test
    void matchesLikeJavaRegexOnRandomStrings() {
        SplittableRandom rng = new SplittableRandom(7);
        int[] cps = ALPHABET.codePoints().toArray();
        for (String p : PATTERNS) {
            ByteDfa dfa = ByteDfa.of(RegexParser.parse(p));
            Pattern java = Pattern.compile(p);
            for (int i = 0; i < 3000; i++) {
                StringBuilder b = new StringBuilder();
                int len = rng.nextInt(6);
                for (int k = 0; k < len; k++) b.appendCodePoint(cps[rng.nextInt(cps.length)]);
                String s = b.toString();
                boolean expected = java.matcher(s).matches();
                assertEquals(expected, dfa.matches(s.getBytes(StandardCharsets.UTF_8)), p + " on '" + s + "'");
            }
            // Random strings rarely match: members drawn from the automaton must be valid UTF-8 that Java's regex accepts.
            for (int i = 0; i < 300; i++) {
                String s = utf8(DfaWalk.sample(dfa, rng, 0.3));
                assertTrue(java.matcher(s).matches(), p + " produced '" + s + "'");
            }
        }
    }

    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("not UTF-8: " + java.util.HexFormat.of().formatHex(bytes), e);
        }
    }

    @Test
    void everyCodePointClassEncodesAsValidUtf8() {
        // Any code point but a line terminator: 1- to 4-byte sequences, never a surrogate, never overlong.
        ByteDfa dfa = ByteDfa.of(RegexParser.parse("."));
        assertTrue(dfa.matches("\uFFFF".getBytes(StandardCharsets.UTF_8)));
        assertTrue(dfa.matches("\uD83D\uDE00".getBytes(StandardCharsets.UTF_8)));
        assertFalse(dfa.matches(new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}), "a UTF-8-encoded surrogate");
        assertFalse(dfa.matches(new byte[]{(byte) 0xC0, (byte) 0xAF}), "an overlong '/'");
        assertFalse(dfa.matches(new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}), "above U+10FFFF");
        assertFalse(dfa.matches("\n".getBytes(StandardCharsets.UTF_8)));
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) {
            String s = utf8(DfaWalk.sample(dfa, rng, 1.0));
            assertEquals(1, s.codePointCount(0, s.length()), s);
        }
    }

    @Test
    void unsupportedFeaturesAreNamed() {
        assertMessage("(?=a)b", "lookaround");
        assertMessage("(?<!a)b", "lookaround");
        assertMessage("(a)\\1", "backreference");
        assertMessage("\\bword", "word boundary");
        assertMessage("(?i)abc", "inline flags");
        assertMessage("a++", "possessive");
        assertMessage("\\p{L}", "Unicode property");
        assertMessage("a^b", "'^' anchor");
        assertMessage("a{20000}", "repetition count");
        assertMessage("(ab", "expected ')'");
        assertMessage("ab)", "unbalanced");
        assertMessage("[a-", "unterminated character class");
        assertMessage("*a", "nothing to repeat");
    }

    static void assertMessage(String pattern, String part) {
        GrammarException e = assertThrows(GrammarException.class, () -> RegexParser.parse(pattern));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
