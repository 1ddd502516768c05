package dev.pagoda.tokenizer;

/**
 * A token matched as a whole in the input text before any splitting (tokenizer.json
 * {@code added_tokens}; GGUF control and user-defined tokens).
 *
 * @param special removed by {@code skipSpecialTokens} when decoding
 * @param lstrip the match also takes the whitespace before it
 * @param rstrip the match also takes the whitespace after it
 * @param normalized matched in normalized text rather than in the raw input
 */
record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip, boolean normalized) {
}
