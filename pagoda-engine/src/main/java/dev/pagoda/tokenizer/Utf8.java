package dev.pagoda.tokenizer;

/**
 * UTF-8 decoding with the replacement rules of Rust's {@code String::from_utf8_lossy}, which the
 * Hugging Face decoders use: each maximal prefix of a valid sequence that is cut short becomes one
 * U+FFFD. (Java's own decoder may emit a different number of U+FFFD for the same bytes.)
 */
final class Utf8 {
    static final char REPLACEMENT = '\uFFFD';

    private Utf8() {
    }

    static String decodeLossy(byte[] bytes, int length) {
        StringBuilder out = new StringBuilder(length);
        int i = 0;
        while (i < length) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int valid = validPrefix(bytes, i, length);
            int width = sequenceWidth(b0);
            if (width > 0 && valid == width) {
                out.appendCodePoint(codePoint(bytes, i, width));
            } else {
                out.append(REPLACEMENT);
            }
            i += Math.max(valid, 1);
        }
        return out.toString();
    }

    static boolean isValid(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            int width = sequenceWidth(bytes[i] & 0xFF);
            if (width == 0 || validPrefix(bytes, i, length) != width) return false;
            i += width;
        }
        return true;
    }

    /** Bytes of a complete sequence: 1 for ASCII, 2..4 for a valid lead byte, 0 for an invalid one. */
    private static int sequenceWidth(int b0) {
        if (b0 < 0x80) return 1;
        if (b0 >= 0xC2 && b0 <= 0xDF) return 2;
        if (b0 >= 0xE0 && b0 <= 0xEF) return 3;
        if (b0 >= 0xF0 && b0 <= 0xF4) return 4;
        return 0;
    }

    /** How many bytes starting at {@code i} belong to a well-formed sequence (up to its width). */
    private static int validPrefix(byte[] bytes, int i, int length) {
        int b0 = bytes[i] & 0xFF;
        int width = sequenceWidth(b0);
        if (width <= 1) return width;
        int n = 1;
        while (n < width && i + n < length) {
            int b = bytes[i + n] & 0xFF;
            int lo = 0x80;
            int hi = 0xBF;
            if (n == 1) {
                // The second byte has narrower ranges: no overlongs, no surrogates, nothing past U+10FFFF.
                if (b0 == 0xE0) lo = 0xA0;
                else if (b0 == 0xED) hi = 0x9F;
                else if (b0 == 0xF0) lo = 0x90;
                else if (b0 == 0xF4) hi = 0x8F;
            }
            if (b < lo || b > hi) break;
            n++;
        }
        return n;
    }

    private static int codePoint(byte[] bytes, int i, int width) {
        int cp = (bytes[i] & 0xFF) & (0xFF >> (width + 1));
        for (int k = 1; k < width; k++) cp = (cp << 6) | (bytes[i + k] & 0x3F);
        return cp;
    }
}
