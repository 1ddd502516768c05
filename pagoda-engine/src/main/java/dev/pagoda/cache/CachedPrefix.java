package dev.pagoda.cache;

/**
 * The leading full blocks of a sequence found in the prefix cache.
 *
 * @param blocks        the cached blocks, in position order
 * @param hashes        their chained hashes
 * @param queriedTokens the sequence's length when it was looked up (for the query counter)
 */
public record CachedPrefix(int[] blocks, long[] hashes, int queriedTokens) {
    /** No lookup was made (prefix caching off, or the request skips reading the cache). */
    public static final CachedPrefix NONE = new CachedPrefix(new int[0], new long[0], 0);
}
