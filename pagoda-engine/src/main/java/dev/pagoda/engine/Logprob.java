package dev.pagoda.engine;

/** A token's log-probability under the raw logits, its rank (1 = most likely) and its text. */
public record Logprob(float logprob, int rank, String decodedToken) {
}
