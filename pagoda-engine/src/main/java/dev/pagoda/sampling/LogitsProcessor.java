package dev.pagoda.sampling;

/**
 * One family of vLLM's logits processors: changes one row of logits in place for one sequence.
 * The sequences of a request may be processed on different threads at once, so an
 * implementation keeps no scratch of its own.
 */
interface LogitsProcessor {
    void apply(float[] logits, int off, TokenHistory seq);
}
