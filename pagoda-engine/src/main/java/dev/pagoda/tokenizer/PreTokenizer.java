package dev.pagoda.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tokenizer.json pre-tokenizer: splits normalized text into words that the model encodes one by
 * one. Each step refines the pieces of the previous one, as in the Rust library.
 */
interface PreTokenizer {
    /**
     * @param pieces the current pieces, in order
     * @param startsText whether the first piece begins the input text (Metaspace's "first" scheme)
     */
    List<String> split(List<String> pieces, boolean startsText);

    PreTokenizer NONE = (pieces, startsText) -> pieces;

    /** GPT-2's split, used by the ByteLevel pre-tokenizer when its {@code use_regex} is set. */
    String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** Regex split; the matches are kept as their own pieces ("Isolated") or dropped ("Removed"). */
    record Split(Pattern pattern, boolean keepMatches) implements PreTokenizer {
        @Override
        public List<String> split(List<String> pieces, boolean startsText) {
            List<String> out = new ArrayList<>(pieces.size() * 4);
            for (String piece : pieces) {
                Matcher m = pattern.matcher(piece);
                int last = 0;
                while (m.find()) {
                    if (m.start() == m.end()) continue;
                    if (m.start() > last) out.add(piece.substring(last, m.start()));
                    if (keepMatches) out.add(piece.substring(m.start(), m.end()));
                    last = m.end();
                }
                if (last < piece.length()) out.add(piece.substring(last));
            }
            return out;
        }
    }

    /**
     * Maps each piece's UTF-8 bytes to the byte-level alphabet, optionally after a leading space and
     * GPT-2's regex split.
     */
    record ByteLevel(boolean addPrefixSpace, Split gpt2Split) implements PreTokenizer {
        @Override
        public List<String> split(List<String> pieces, boolean startsText) {
            List<String> prefixed = pieces;
            if (addPrefixSpace) {
                prefixed = new ArrayList<>(pieces.size());
                for (String p : pieces) prefixed.add(p.startsWith(" ") ? p : " " + p);
            }
            List<String> words = gpt2Split == null ? prefixed : gpt2Split.split(prefixed, startsText);
            List<String> out = new ArrayList<>(words.size());
            for (String w : words) out.add(ByteLevelAlphabet.encode(w));
            return out;
        }
    }

    /**
     * SentencePiece-style: spaces become the replacement character, which also starts the text
     * ("always") or only the very beginning of the input ("first"); optionally splits before each
     * replacement character.
     */
    record Metaspace(char replacement, String prependScheme, boolean splitWords) implements PreTokenizer {
        @Override
        public List<String> split(List<String> pieces, boolean startsText) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < pieces.size(); i++) {
                String p = pieces.get(i).replace(' ', replacement);
                boolean prepend = prependScheme.equals("always") || (prependScheme.equals("first") && startsText && i == 0);
                if (prepend && !p.isEmpty() && p.charAt(0) != replacement) p = replacement + p;
                if (!splitWords) {
                    out.add(p);
                    continue;
                }
                int start = 0;
                for (int k = 1; k < p.length(); k++) {
                    if (p.charAt(k) == replacement) {
                        out.add(p.substring(start, k));
                        start = k;
                    }
                }
                if (start < p.length()) out.add(p.substring(start));
            }
            return out;
        }
    }

    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        @Override
        public List<String> split(List<String> pieces, boolean startsText) {
            for (PreTokenizer step : steps) pieces = step.split(pieces, startsText);
            return pieces;
        }
    }
}
