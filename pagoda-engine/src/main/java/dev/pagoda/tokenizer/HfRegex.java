package dev.pagoda.tokenizer;

import dev.pagoda.PagodaException;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a tokenizer.json regex (written for Oniguruma, as the Rust tokenizers library runs it)
 * into a Java pattern with the same meaning. Java's {@code \s}, {@code \d} and {@code \w} are ASCII
 * only, while Oniguruma's are Unicode ({@code \s} = TAB..CR, NEL and the Z categories), so those
 * escapes are rewritten into explicit classes; case-insensitive groups fold case as Unicode does.
 */
final class HfRegex {
    private static final String SPACE = "\\t-\\r\\x{85}\\p{Z}";
    private static final String DIGIT = "\\p{Nd}";
    private static final String WORD = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";

    private HfRegex() {
    }

    static Pattern compile(String onigPattern) {
        try {
            return Pattern.compile(translate(onigPattern), Pattern.UNICODE_CASE);
        } catch (PatternSyntaxException e) {
            throw new PagodaException("tokenizer.json: cannot compile regex '" + onigPattern + "': " + e.getDescription());
        }
    }

    static String translate(String p) {
        StringBuilder out = new StringBuilder(p.length() + 32);
        int classDepth = 0;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\' && i + 1 < p.length()) {
                char e = p.charAt(++i);
                String inside = switch (e) {
                    case 's' -> SPACE;
                    case 'd' -> DIGIT;
                    case 'w' -> WORD;
                    default -> null;
                };
                String negated = switch (e) {
                    case 'S' -> SPACE;
                    case 'D' -> DIGIT;
                    case 'W' -> WORD;
                    default -> null;
                };
                if (inside != null) {
                    out.append(classDepth > 0 ? inside : "[" + inside + "]");
                } else if (negated != null) {
                    if (classDepth > 0) {
                        throw new PagodaException("tokenizer.json: regex '" + p + "': \\" + e + " inside a character class is not supported");
                    }
                    out.append("[^").append(negated).append(']');
                } else {
                    out.append('\\').append(e);
                }
            } else {
                if (c == '[') classDepth++;
                else if (c == ']' && classDepth > 0) classDepth--;
                out.append(c);
            }
        }
        return out.toString();
    }
}
