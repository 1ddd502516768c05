package dev.pagoda.cli.latency;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Markdown report and the JSON file with every raw figure. */
public final class LatencyReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LatencyReport() {
    }

    public static String markdown(Map<String, String> environment, Map<String, String> model, List<ScenarioResult> results,
                                  int warmup, int runs, String chartFile, String jsonFile) {
        StringBuilder sb = new StringBuilder("# Pagoda latency benchmark\n\n## Environment\n\n| | |\n|---|---|\n");
        environment.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        sb.append("\n## Model\n\n| | |\n|---|---|\n");
        model.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        sb.append(String.format(Locale.ROOT, "%n## Results%n%n%d warm-up and %d measured runs per scenario; greedy, exact output lengths "
                + "(ignore_eos), prefix caching off. Median (mean ± standard deviation) over every request of the measured runs; "
                + "total tokens/s over each run's wall time; peak memory over the measured runs.%n%n", warmup, runs));
        sb.append("| scenario | batch | input tokens | output tokens | TTFT ms | TPOT ms | decode tokens/s per request | total tokens/s | peak RSS | peak heap |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ScenarioResult r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %d | %d%s | %d | %s | %s | %s | %s | %s | %s |%n",
                    r.scenario().description(), r.scenario().batch(), r.inputTokens(), r.truncated() ? " (of " + r.promptTokens() + ")" : "",
                    r.scenario().outputTokens(), cell(r.ttftMs()), cell(r.tpotMs()), cell(r.decodeTokensPerSecond()),
                    cell(r.totalTokensPerSecond()), mib(r.peakRss()), mib(r.peakHeap())));
        }
        if (results.stream().anyMatch(ScenarioResult::truncated)) {
            sb.append("\n(of N): the prompt had N tokens and was cut to its last tokens to leave room for the output within max-model-len.\n");
        }
        sb.append("\n## Analysis\n\n");
        for (String line : LatencyAnalysis.lines(results)) sb.append("- ").append(line).append('\n');
        sb.append("\n## Chart\n\n![TTFT, TPOT and throughput per scenario](").append(chartFile).append(")\n\n");
        sb.append("Bars: medians; whiskers: smallest to largest figure. Every raw figure is in `").append(jsonFile).append("`.\n");
        return sb.toString();
    }

    private static String cell(Stats s) {
        return String.format(Locale.ROOT, "%s (%s ± %s)", num(s.median()), num(s.mean()), num(s.stdev()));
    }

    private static String num(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    public static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1 << 20));
    }

    public static ObjectNode json(Map<String, String> environment, Map<String, String> model, List<ScenarioResult> results, int warmup, int runs) {
        ObjectNode root = JSON.createObjectNode();
        root.set("environment", JSON.valueToTree(environment));
        root.set("model", JSON.valueToTree(model));
        root.put("warmup_runs", warmup);
        root.put("measured_runs", runs);
        ArrayNode scenarios = root.putArray("scenarios");
        for (ScenarioResult r : results) {
            ObjectNode s = scenarios.addObject();
            s.put("name", r.scenario().name());
            s.put("description", r.scenario().description());
            s.put("prompt", r.scenario().prompt());
            s.put("batch", r.scenario().batch());
            s.put("output_tokens", r.scenario().outputTokens());
            s.put("input_tokens", r.inputTokens());
            s.put("prompt_tokens_before_truncation", r.promptTokens());
            ObjectNode summary = s.putObject("summary");
            summary.set("ttft_ms", JSON.valueToTree(r.ttftMs()));
            summary.set("tpot_ms", JSON.valueToTree(r.tpotMs()));
            summary.set("decode_tokens_per_s", JSON.valueToTree(r.decodeTokensPerSecond()));
            summary.set("total_tokens_per_s", JSON.valueToTree(r.totalTokensPerSecond()));
            summary.put("peak_rss_bytes", r.peakRss());
            summary.put("peak_heap_bytes", r.peakHeap());
            s.set("warmup", runs(r.warmups()));
            s.set("runs", runs(r.runs()));
        }
        return root;
    }

    private static ArrayNode runs(List<RunFigures> figures) {
        ArrayNode a = JSON.createArrayNode();
        for (RunFigures f : figures) {
            ObjectNode o = a.addObject();
            o.set("ttft_s", JSON.valueToTree(f.ttft()));
            o.set("latency_s", JSON.valueToTree(f.latency()));
            o.set("tpot_s", JSON.valueToTree(f.tpot()));
            o.set("decode_tokens_per_s", JSON.valueToTree(f.decodeTokensPerSecond()));
            o.put("total_tokens_per_s", f.totalTokensPerSecond());
            o.put("wall_s", f.wallSeconds());
            o.put("peak_heap_bytes", f.peakHeap());
            o.put("peak_rss_bytes", f.peakRss());
        }
        return a;
    }
}
