package dev.pagoda.cli.latency;

import java.util.ArrayList;
import java.util.List;

/**
 * What one run of a scenario measured, per request (seconds, from the engine's request metrics):
 * time to first token and end-to-end latency, both from arrival, in the same generation.
 *
 * @param wallSeconds first arrival to last token of the batch
 * @param peakHeap    peak Java heap use during the run
 * @param peakRss     peak resident memory of the process during the run (-1 when unknown)
 */
public record RunFigures(List<Double> ttft, List<Double> latency, int outputTokens, double wallSeconds, long peakHeap, long peakRss) {

    /** TPOT = (latency − TTFT) / (output tokens − 1), per request. */
    public List<Double> tpot() {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < ttft.size(); i++) out.add((latency.get(i) - ttft.get(i)) / (outputTokens - 1));
        return out;
    }

    /** Decode tokens/s of each request: the tokens after the first over the time they took (1 / TPOT). */
    public List<Double> decodeTokensPerSecond() {
        return tpot().stream().map(t -> 1 / t).toList();
    }

    /** Generated tokens of the whole batch over the wall time. */
    public double totalTokensPerSecond() {
        return ttft.size() * (double) outputTokens / wallSeconds;
    }
}
