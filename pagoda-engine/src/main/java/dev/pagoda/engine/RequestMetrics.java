package dev.pagoda.engine;

/** Wall-clock times of a request, seconds since the epoch, as vLLM reports them (NaN when not reached). */
public record RequestMetrics(double arrivalTime, double firstScheduledTime, double firstTokenTime,
                             double lastTokenTime, double finishedTime) {
}
