package dev.pagoda.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tokenizer.json decoder: turns the vocab strings of ids back into text. Like the Rust library,
 * each step maps the list of token strings to a new list; the result is their concatenation.
 */
interface Decoder {
    /**
     * @param tokens vocab strings
     * @param atStart whether {@code tokens} begin the decoded text; false when a streaming decoder
     *                decodes a later window, so that first-token rules (Strip, Metaspace) are not re-applied
     */
    List<String> decode(List<String> tokens, boolean atStart);

    /** What a single token contributes on its own, for {@link Tokenizer#tokenBytes}. */
    default Piece piece(Piece piece) {
        return piece;
    }

    /** A token on its way through {@link #piece}: text, or raw bytes once a byte-level step decided them. */
    record Piece(String text, byte[] bytes) {
        byte[] utf8() {
            return bytes != null ? bytes : text.getBytes(StandardCharsets.UTF_8);
        }

        Piece mapText(java.util.function.UnaryOperator<String> f) {
            return bytes != null ? this : new Piece(f.apply(text), null);
        }
    }

    /** No decoder in tokenizer.json: the Rust library joins the tokens with spaces. */
    Decoder JOIN_WITH_SPACES = (tokens, atStart) -> List.of(String.join(" ", tokens));

    /** Byte-level vocabularies: every token is bytes in GPT-2's alphabet; the bytes are decoded together. */
    record ByteLevel() implements Decoder {
        @Override
        public List<String> decode(List<String> tokens, boolean atStart) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) bytes.writeBytes(ByteLevelAlphabet.decode(t));
            return List.of(Utf8.decodeLossy(bytes.toByteArray(), bytes.size()));
        }

        @Override
        public Piece piece(Piece piece) {
            return piece.bytes() != null ? piece : new Piece(null, ByteLevelAlphabet.decode(piece.text()));
        }
    }

    /**
     * {@code <0xNN>} tokens: each run of them is decoded as UTF-8; a run that is not valid UTF-8 becomes
     * one U+FFFD per byte (the Rust library's rule, not the lossy decoder's).
     */
    record ByteFallback() implements Decoder {
        @Override
        public List<String> decode(List<String> tokens, boolean atStart) {
            List<String> out = new ArrayList<>(tokens.size());
            byte[] run = new byte[16];
            int runLength = 0;
            for (String t : tokens) {
                int b = byteValue(t);
                if (b >= 0) {
                    if (runLength == run.length) run = java.util.Arrays.copyOf(run, runLength * 2);
                    run[runLength++] = (byte) b;
                    continue;
                }
                flush(out, run, runLength);
                runLength = 0;
                out.add(t);
            }
            flush(out, run, runLength);
            return out;
        }

        private static void flush(List<String> out, byte[] run, int length) {
            if (length == 0) return;
            if (Utf8.isValid(run, length)) out.add(new String(run, 0, length, StandardCharsets.UTF_8));
            else for (int i = 0; i < length; i++) out.add(String.valueOf(Utf8.REPLACEMENT));
        }

        /** The byte a {@code <0xNN>} token stands for, or -1. */
        static int byteValue(String token) {
            if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') return -1;
            int hi = Character.digit(token.charAt(3), 16);
            int lo = Character.digit(token.charAt(4), 16);
            return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
        }

        @Override
        public Piece piece(Piece piece) {
            int b = piece.bytes() != null ? -1 : byteValue(piece.text());
            return b < 0 ? piece : new Piece(null, new byte[]{(byte) b});
        }
    }

    record Fuse() implements Decoder {
        @Override
        public List<String> decode(List<String> tokens, boolean atStart) {
            return List.of(String.join("", tokens));
        }
    }

    record Replace(Pattern pattern, String content) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens, boolean atStart) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) out.add(replace(t));
            return out;
        }

        private String replace(String t) {
            return pattern.matcher(t).replaceAll(Matcher.quoteReplacement(content));
        }

        @Override
        public Piece piece(Piece piece) {
            return piece.mapText(this::replace);
        }
    }

    /** Removes up to {@code start} leading {@code content} characters from each token. */
    record Strip(char content, int start) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens, boolean atStart) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) out.add(strip(t));
            return out;
        }

        String strip(String t) {
            int cut = 0;
            while (cut < start && cut < t.length() && t.charAt(cut) == content) cut++;
            return t.substring(cut);
        }
    }

    /** SentencePiece's "▁" back to spaces; the first token loses its "▁" unless nothing was prepended. */
    record Metaspace(char replacement, boolean prepended) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens, boolean atStart) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                boolean dropReplacement = i == 0 && atStart && prepended;
                out.add(dropReplacement ? t.replace(String.valueOf(replacement), "") : t.replace(replacement, ' '));
            }
            return out;
        }

        @Override
        public Piece piece(Piece piece) {
            return piece.mapText(t -> t.replace(replacement, ' '));
        }
    }

    /**
     * Steps in order. A Strip after a fusing step (Fuse, ByteLevel) strips the start of the whole
     * text, so it is skipped when decoding a window that does not begin the text.
     */
    record Sequence(List<Decoder> steps) implements Decoder {
        @Override
        public List<String> decode(List<String> tokens, boolean atStart) {
            boolean fused = false;
            for (Decoder step : steps) {
                if (step instanceof Strip && fused && !atStart) continue;
                tokens = step.decode(tokens, atStart);
                fused |= step instanceof Fuse || step instanceof ByteLevel;
            }
            return tokens;
        }

        @Override
        public Piece piece(Piece piece) {
            for (Decoder step : steps) piece = step.piece(piece);
            return piece;
        }
    }
}
