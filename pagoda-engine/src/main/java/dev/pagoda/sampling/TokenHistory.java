package dev.pagoda.sampling;

/** A sequence's tokens as the logits processors see them: the prompt, then the output so far. */
public interface TokenHistory {
    int promptLength();

    /** Prompt plus output tokens. */
    int length();

    int token(int i);

    default int outputLength() {
        return length() - promptLength();
    }
}
