package dev.pagoda.tokenizer;

import java.util.Arrays;

/**
 * Streaming decode: ids go in one at a time, text comes out in pieces whose concatenation (with
 * {@link #finish}) equals {@link Tokenizer#decode} of all ids.
 *
 * <p>Text is released only at a <em>clean cut</em>: after a token whose decoded window does not
 * end in U+FFFD (an unfinished UTF-8 sequence may still complete) and that is not a
 * {@code <0xNN>} byte token (the Rust ByteFallback decoder judges a whole run of byte tokens at
 * once, so a later byte can turn earlier ones into U+FFFD). Past a cut, the text decodes
 * independently of what came before, except for rules about the start of the text (SentencePiece's
 * leading-space strip), which only apply while nothing has been released yet. Each step decodes
 * only the ids since the last cut.
 */
public final class IncrementalDetokenizer {
    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids;
    private int count;
    private int cut; // ids before this are released
    private boolean released; // some text has been released: the window no longer starts the text

    public IncrementalDetokenizer(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this(tokenizer, skipSpecialTokens, new int[0]);
    }

    /**
     * Streams text that continues {@code precedingIds} (the prompt): their own text is not emitted,
     * and if they have any, the streamed text is not the start of the text, so SentencePiece's
     * leading space of the first generated word is kept (as vLLM does).
     */
    public IncrementalDetokenizer(Tokenizer tokenizer, boolean skipSpecialTokens, int[] precedingIds) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
        this.ids = Arrays.copyOf(precedingIds, precedingIds.length + 16);
        this.count = precedingIds.length;
        this.cut = count;
        this.released = !tokenizer.decode(precedingIds, skipSpecialTokens).isEmpty();
    }

    private IncrementalDetokenizer(IncrementalDetokenizer other) {
        this.tokenizer = other.tokenizer;
        this.skipSpecialTokens = other.skipSpecialTokens;
        this.ids = other.ids.clone();
        this.count = other.count;
        this.cut = other.cut;
        this.released = other.released;
    }

    /** An independent detokenizer in the same state (for a beam that branches off another). */
    public IncrementalDetokenizer copy() {
        return new IncrementalDetokenizer(this);
    }

    /** Adds one id; returns the newly releasable text (often "", never part of a character). */
    public String add(int id) {
        if (count == ids.length) ids = Arrays.copyOf(ids, count * 2);
        ids[count++] = id;
        // An id that decodes to nothing must not cut: byte tokens on both sides of it form one run.
        if (tokenizer.tokenTextOrNull(id) == null || (skipSpecialTokens && tokenizer.isSpecial(id))) return "";
        String window = tokenizer.decode(ids, cut, count, skipSpecialTokens, !released);
        if (window.isEmpty() || window.charAt(window.length() - 1) == Utf8.REPLACEMENT || isByteToken(id)) return "";
        cut = count;
        released = true;
        return window;
    }

    /** The text still held back (an unfinished character, trailing byte tokens); call once at the end. */
    public String finish() {
        String rest = tokenizer.decode(ids, cut, count, skipSpecialTokens, !released);
        cut = count;
        released |= !rest.isEmpty();
        return rest;
    }

    private boolean isByteToken(int id) {
        String text = tokenizer.tokenTextOrNull(id);
        return text != null && Decoder.ByteFallback.byteValue(text) >= 0;
    }
}
