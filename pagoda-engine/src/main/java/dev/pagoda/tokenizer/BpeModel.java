package dev.pagoda.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE model: turns one pre-tokenized word into ids. The word starts as one symbol per
 * character (unknown characters become {@code <0xNN>} byte tokens with byte fallback, else the
 * unknown token), then {@link Merges} combines symbols.
 */
final class BpeModel {
    private static final int CACHED_WORD_MAX_CHARS = 128;
    private static final int CACHE_MAX_ENTRIES = 200_000;

    private final Map<String, Integer> vocab;
    private final Merges merges;
    private final boolean ignoreMerges;
    private final int[] byteTokenIds; // <0xNN> ids when byte fallback is on, else null
    private final int unknownId; // -1: unknown characters are dropped, as the Rust library does without unk_token
    private final boolean fuseUnknown;
    private final int[] smallCharIds; // vocab ids of single chars below 512: covers the byte-level alphabet
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    BpeModel(Map<String, Integer> vocab, Merges merges, boolean ignoreMerges, boolean byteFallback,
             int unknownId, boolean fuseUnknown) {
        this.vocab = vocab;
        this.merges = merges;
        this.ignoreMerges = ignoreMerges;
        this.unknownId = unknownId;
        this.fuseUnknown = fuseUnknown;
        this.byteTokenIds = byteFallback ? byteTokenIds(vocab) : null;
        this.smallCharIds = new int[512];
        for (int c = 0; c < smallCharIds.length; c++) {
            smallCharIds[c] = vocab.getOrDefault(String.valueOf((char) c), -1);
        }
    }

    private static int[] byteTokenIds(Map<String, Integer> vocab) {
        int[] ids = new int[256];
        for (int b = 0; b < 256; b++) ids[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
        return ids;
    }

    int[] encodeWord(String word) {
        if (word.length() > CACHED_WORD_MAX_CHARS) return encodeUncached(word);
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = encodeUncached(word);
            if (cache.size() >= CACHE_MAX_ENTRIES) cache.clear();
            cache.put(word, ids);
        }
        return ids;
    }

    private int[] encodeUncached(String word) {
        if (ignoreMerges) {
            // Llama-3 style: a word that is itself a token is taken whole, even if the merges would not build it.
            Integer whole = vocab.get(word);
            if (whole != null) return new int[]{whole};
        }
        return merges.apply(initialSymbols(word));
    }

    private int[] initialSymbols(String word) {
        int[] out = new int[word.length()];
        int n = 0;
        boolean lastWasUnknown = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int len = Character.charCount(cp);
            int id = cp < smallCharIds.length ? smallCharIds[cp] : vocab.getOrDefault(word.substring(i, i + len), -1);
            i += len;
            if (id >= 0) {
                out = ensure(out, n + 1);
                out[n++] = id;
                lastWasUnknown = false;
                continue;
            }
            int[] bytes = byteFallback(Character.toString(cp));
            if (bytes != null) {
                out = ensure(out, n + bytes.length);
                System.arraycopy(bytes, 0, out, n, bytes.length);
                n += bytes.length;
                lastWasUnknown = false;
            } else if (unknownId >= 0 && !(fuseUnknown && lastWasUnknown)) {
                out = ensure(out, n + 1);
                out[n++] = unknownId;
                lastWasUnknown = true;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** The character's byte tokens, or null when byte fallback is off or a byte token is missing. */
    private int[] byteFallback(String ch) {
        if (byteTokenIds == null) return null;
        byte[] utf8 = ch.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[utf8.length];
        for (int k = 0; k < utf8.length; k++) {
            ids[k] = byteTokenIds[utf8[k] & 0xFF];
            if (ids[k] < 0) return null;
        }
        return ids;
    }

    private static int[] ensure(int[] a, int size) {
        return size <= a.length ? a : Arrays.copyOf(a, Math.max(size, a.length * 2));
    }
}
