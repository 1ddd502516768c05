package dev.pagoda.cache;

/** A copy-on-write: block {@code src}'s K/V must be copied to block {@code dst} before the step's forward pass. */
public record BlockCopy(int src, int dst) {
}
