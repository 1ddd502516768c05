package dev.pagoda.cli.latency;

import java.util.List;
import java.util.function.Function;

/**
 * A scenario's measured runs (warm-ups kept apart) and their statistics.
 *
 * @param inputTokens    prompt tokens per request, after any truncation
 * @param promptTokens   prompt tokens before truncation (equal to inputTokens when the prompt fit)
 */
public record ScenarioResult(Scenario scenario, int inputTokens, int promptTokens, List<RunFigures> warmups, List<RunFigures> runs) {

    public boolean truncated() {
        return inputTokens < promptTokens;
    }

    /** Over every request of every measured run, in milliseconds. */
    public Stats ttftMs() {
        return pooled(r -> r.ttft().stream().map(s -> s * 1000).toList());
    }

    public Stats tpotMs() {
        return pooled(r -> r.tpot().stream().map(s -> s * 1000).toList());
    }

    public Stats decodeTokensPerSecond() {
        return pooled(RunFigures::decodeTokensPerSecond);
    }

    /** One figure per run. */
    public Stats totalTokensPerSecond() {
        return Stats.of(runs.stream().map(RunFigures::totalTokensPerSecond).toList());
    }

    public long peakRss() {
        return runs.stream().mapToLong(RunFigures::peakRss).max().orElse(-1);
    }

    public long peakHeap() {
        return runs.stream().mapToLong(RunFigures::peakHeap).max().orElse(0);
    }

    private Stats pooled(Function<RunFigures, List<Double>> f) {
        return Stats.of(runs.stream().flatMap(r -> f.apply(r).stream()).toList());
    }
}
