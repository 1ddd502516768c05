package dev.pagoda.engine;

/**
 * A snapshot of the engine's state, taken by the engine thread after each step.
 *
 * @param kvCacheUsage fraction of KV blocks in use, 0..1
 */
public record EngineStats(int running, int waiting, double kvCacheUsage, int freeBlocks, int totalBlocks,
                          long steps, long preemptions, int lastStepTokens, int lastStepSequences) {
}
