package dev.pagoda.model;

/**
 * One step's flat batch: every scheduled token of every sequence, prefill chunks and decodes
 * together.
 *
 * @param numTokens   tokens in the batch
 * @param tokenIds    token id per batch token
 * @param positions   position of each token in its sequence
 * @param seqOfToken  index into {@code blockTables} of each token's sequence
 * @param blockTables KV block table per sequence, covering every position up to its last token here
 * @param logitRows   batch indices of the tokens whose next-token logits are wanted (sampled rows, and
 *                    prompt positions of requests asking for prompt log-probabilities), in output order
 */
public record ForwardBatch(int numTokens, int[] tokenIds, int[] positions, int[] seqOfToken,
                           int[][] blockTables, int[] logitRows) {
}
