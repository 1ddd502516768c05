package dev.pagoda.tokenizer;

import java.util.List;

/**
 * Every id's vocab string (model vocab and added tokens together) and which ids are special.
 * Ids without a string (holes in a sparse vocab) decode to nothing.
 */
final class Vocabulary {
    private final String[] texts;
    private final boolean[] special;

    Vocabulary(String[] texts, List<AddedToken> addedTokens) {
        this.texts = texts;
        this.special = new boolean[texts.length];
        for (AddedToken t : addedTokens) {
            texts[t.id()] = t.content();
            special[t.id()] = t.special();
        }
    }

    int size() {
        return texts.length;
    }

    /** The id's string, or null for an id outside the vocabulary. */
    String textOrNull(int id) {
        return id >= 0 && id < texts.length ? texts[id] : null;
    }

    String text(int id) {
        String t = textOrNull(id);
        if (t == null) throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + texts.length + ")");
        return t;
    }

    boolean isSpecial(int id) {
        return id >= 0 && id < special.length && special[id];
    }
}
