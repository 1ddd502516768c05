package dev.pagoda.tokenizer;

import java.util.List;
import java.util.Random;

/** Seeded random strings that stress tokenizers: mixed scripts, emoji, whitespace runs, controls, special-token pieces. */
final class RandomText {
    private static final String[] WORDS = {"the", "The", "THE", "hello", "world", "token", "izer", "don't", "I'M", "we'll",
            "it’s", "they're", "you've", "'s", "'S", "'ll", "café", "naïve", "Zürich", "straße", "İstanbul", "ſtate", "\u212Aelvin",
            "日本語", "中文字符", "의미", "안녕하세요", "مرحبا", "नमस्ते", "สวัสดี", "Привет", "Ελληνικά", "עברית",
            "def", "return", "fn", "{}", "()", "=>", "::", "</div>", "<br/>", "&amp;", "http://x.y/z?q=1", "foo_bar", "camelCase",
            "HTTPServer", "x²", "∑∞", "½", "①", "Ⅻ", "٣٤", "१२३"};
    private static final String[] EMOJI = {"😀", "🍕", "🚀", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "👩\u200d❤️\u200d👨", "🇯🇵", "🇺🇸",
            "1️⃣", "#️⃣", "❤️", "☺", "🏳️\u200d🌈", "🧑🏿\u200d💻"};
    private static final String[] SPACES = {" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\u00a0", "\u3000", "\u2009",
            "\u0085", "\u2028", "\u200b", "\ufeff", " \t\n", "    "};
    private static final String[] CONTROLS = {"\u0000", "\u001b[31m", "\u007f", "\u0007", "\u0001", "\u000b", "\u000c"};
    private static final String[] FRAGMENTS = {"<", ">", "<|", "|>", "<|im_", "im_end|>", "<s", "</", "[INST", "[/INST]", "<0x41>",
            "<unk", "<|endoftext", "▁", "Ġ", "Ċ", "<think>", "</think>"};

    private final Random random;
    private final List<String> specialTokens;

    RandomText(long seed, List<String> specialTokens) {
        this.random = new Random(seed);
        this.specialTokens = specialTokens;
    }

    String next() {
        StringBuilder sb = new StringBuilder();
        int parts = 1 + random.nextInt(random.nextInt(10) == 0 ? 40 : 10);
        for (int i = 0; i < parts; i++) sb.append(part());
        return sb.toString();
    }

    private String part() {
        int kind = random.nextInt(100);
        if (kind < 35) return pick(WORDS);
        if (kind < 50) return pick(SPACES);
        if (kind < 57) return pick(EMOJI);
        if (kind < 62) return pick(CONTROLS);
        if (kind < 68) return pick(FRAGMENTS);
        if (kind < 73 && !specialTokens.isEmpty()) return specialTokens.get(random.nextInt(specialTokens.size()));
        if (kind < 80) return digits();
        if (kind < 84) return longWord();
        if (kind < 88) return "e\u0301A\u030aa\u0308o\u0303".substring(0, 2 * (1 + random.nextInt(4))); // NFD sequences
        if (kind < 94) return punctuation();
        return String.valueOf(Character.toChars(randomCodePoint()));
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    private String digits() {
        StringBuilder sb = new StringBuilder();
        int n = 1 + random.nextInt(12);
        for (int i = 0; i < n; i++) sb.append((char) ('0' + random.nextInt(10)));
        return sb.toString();
    }

    private String longWord() {
        StringBuilder sb = new StringBuilder();
        int n = 20 + random.nextInt(150);
        for (int i = 0; i < n; i++) sb.append((char) ((random.nextBoolean() ? 'a' : 'A') + random.nextInt(26)));
        return sb.toString();
    }

    private String punctuation() {
        String p = "!?.,;:-_=+*/\\|@#$%^&~`'\"()[]{}<>";
        StringBuilder sb = new StringBuilder();
        int n = 1 + random.nextInt(6);
        for (int i = 0; i < n; i++) sb.append(p.charAt(random.nextInt(p.length())));
        return sb.toString();
    }

    /** An assigned, non-surrogate, non-private-use code point from a few broad ranges. */
    private int randomCodePoint() {
        while (true) {
            int[][] ranges = {{0x20, 0x2FF}, {0x370, 0x52F}, {0x590, 0x6FF}, {0x900, 0xDFF}, {0x1E00, 0x2BFF}, {0x3000, 0x30FF},
                    {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0x1F300, 0x1FAFF}, {0x1D400, 0x1D7FF}};
            int[] r = ranges[random.nextInt(ranges.length)];
            int cp = r[0] + random.nextInt(r[1] - r[0] + 1);
            int type = Character.getType(cp);
            if (type != Character.UNASSIGNED && type != Character.SURROGATE && type != Character.PRIVATE_USE) return cp;
        }
    }
}
