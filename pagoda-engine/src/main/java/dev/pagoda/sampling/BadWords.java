package dev.pagoda.sampling;

import dev.pagoda.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code bad_words}: a word's last token is banned (-inf) whenever the output so far ends with
 * the rest of the word's tokens; a one-token word is always banned. As vLLM V1, only output tokens
 * count as the word's start, never the prompt.
 */
final class BadWords implements LogitsProcessor {
    private final List<int[]> words;

    BadWords(List<int[]> words) {
        this.words = words;
    }

    /**
     * The token sequences of the words as vLLM derives them: each word (leading spaces stripped)
     * tokenized without special tokens, and again with one leading space when that gives the same
     * number of tokens with a different first token (the word in mid-text, for tokenizers that
     * fold the space into the word's token).
     */
    static List<int[]> tokenize(List<String> badWords, Tokenizer tokenizer) {
        List<int[]> out = new ArrayList<>();
        for (String word : badWords) {
            int[] plain = tokenizer.encode(word.stripLeading(), false);
            if (plain.length > 0) out.add(plain);
            int[] spaced = tokenizer.encode(" " + word.stripLeading(), false);
            if (spaced.length > 0 && spaced.length == plain.length && spaced[0] != plain[0]) out.add(spaced);
        }
        return out;
    }

    @Override
    public void apply(float[] logits, int off, TokenHistory seq) {
        int outLen = seq.outputLength();
        int end = seq.length();
        for (int[] word : words) {
            int prefix = word.length - 1;
            if (prefix > outLen) continue;
            boolean match = true;
            for (int j = 0; j < prefix && match; j++) match = seq.token(end - prefix + j) == word[j];
            if (match) logits[off + word[prefix]] = Float.NEGATIVE_INFINITY;
        }
    }
}
