package dev.pagoda.engine;

/** A prompt given as text (tokenized with the model's tokenizer) or as token ids. */
public sealed interface Prompt {
    record Text(String text) implements Prompt {
    }

    record Tokens(int[] ids) implements Prompt {
    }

    static Prompt text(String text) {
        return new Text(text);
    }

    static Prompt tokens(int... ids) {
        return new Tokens(ids);
    }
}
