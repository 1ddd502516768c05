package dev.pagoda.engine;

/**
 * A snapshot of the engine's state, taken by the engine thread after each step.
 *
 * @param kvCacheUsage       fraction of KV blocks in use, 0..1 (free blocks that still hold prefix-cached content are not in use)
 * @param prefixCacheQueries prompt tokens looked up in the prefix cache
 * @param prefixCacheHits    of those, tokens whose K/V was found cached
 */
public record EngineStats(int running, int waiting, double kvCacheUsage, int freeBlocks, int totalBlocks,
                          long steps, long preemptions, int lastStepTokens, int lastStepSequences,
                          long prefixCacheQueries, long prefixCacheHits) {
}
