package dev.pagoda.cli.latency;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The report's short analysis, from the figures alone: how TTFT grows with input length, how
 * steady decode is, and how throughput scales with batch size.
 */
public final class LatencyAnalysis {
    private LatencyAnalysis() {
    }

    public static List<String> lines(List<ScenarioResult> results) {
        List<String> out = new ArrayList<>();
        List<ScenarioResult> single = results.stream().filter(r -> r.scenario().batch() == 1)
                .sorted(Comparator.comparingInt(ScenarioResult::inputTokens)).toList();
        if (single.size() >= 2 && single.getLast().inputTokens() > single.getFirst().inputTokens()) {
            ScenarioResult a = single.getFirst(), b = single.getLast();
            double msPerToken = (b.ttftMs().median() - a.ttftMs().median()) / (b.inputTokens() - a.inputTokens());
            StringBuilder sb = new StringBuilder("**TTFT vs input length:** ");
            for (ScenarioResult r : single) sb.append(String.format(Locale.ROOT, "%d tokens → %.1f ms; ", r.inputTokens(), r.ttftMs().median()));
            sb.append(String.format(Locale.ROOT, "from %d to %d input tokens TTFT grows by %.2f ms per token (≈ %.0f prompt tokens/s of marginal prefill).",
                    a.inputTokens(), b.inputTokens(), msPerToken, msPerToken > 0 ? 1000 / msPerToken : Double.POSITIVE_INFINITY));
            out.add(sb.toString());
        }
        if (!single.isEmpty()) {
            List<String> parts = new ArrayList<>();
            for (ScenarioResult r : single) {
                Stats t = r.tpotMs();
                parts.add(String.format(Locale.ROOT, "%s TPOT %.1f ms ± %.1f%% (min %.1f, max %.1f)", r.scenario().name(), t.median(),
                        100 * t.cv(), t.min(), t.max()));
            }
            ScenarioResult longest = single.stream().max(Comparator.comparingInt(r -> r.scenario().outputTokens())).orElseThrow();
            ScenarioResult shortOut = single.stream().min(Comparator.comparingInt(r -> r.scenario().outputTokens())).orElseThrow();
            if (longest.scenario().outputTokens() > shortOut.scenario().outputTokens()) {
                double ratio = longest.decodeTokensPerSecond().median() / shortOut.decodeTokensPerSecond().median();
                parts.add(String.format(Locale.ROOT, "decode over %d tokens runs at %.2f tokens/s, %.0f%% of the %.2f tokens/s over %d tokens",
                        longest.scenario().outputTokens(), longest.decodeTokensPerSecond().median(),
                        100 * ratio, shortOut.decodeTokensPerSecond().median(), shortOut.scenario().outputTokens()));
            }
            out.add("**Decode stability:** " + String.join("; ", parts) + ".");
        }
        for (ScenarioResult r : results) {
            if (r.scenario().batch() == 1) continue;
            ScenarioResult base = single.stream().filter(s -> s.scenario().outputTokens() == r.scenario().outputTokens())
                    .min(Comparator.comparingInt(s -> Math.abs(s.inputTokens() - r.inputTokens()))).orElse(null);
            if (base == null) continue;
            out.add(String.format(Locale.ROOT, "**Batch scaling, %s:** %.2f tokens/s in total, %.2f× the single request of %s (ideal %d×); "
                            + "each request's TPOT is %.2f× as long.", r.scenario().name(), r.totalTokensPerSecond().median(),
                    r.totalTokensPerSecond().median() / base.totalTokensPerSecond().median(), base.scenario().name(), r.scenario().batch(),
                    r.tpotMs().median() / base.tpotMs().median()));
        }
        return out;
    }
}
