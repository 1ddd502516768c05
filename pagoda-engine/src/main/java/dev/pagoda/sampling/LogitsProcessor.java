package dev.pagoda.sampling;

/** One family of vLLM's logits processors: changes one row of logits in place for one sequence. */
interface LogitsProcessor {
    void apply(float[] logits, int off, TokenHistory seq);
}
