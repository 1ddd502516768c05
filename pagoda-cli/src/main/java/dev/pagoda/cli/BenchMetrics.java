package dev.pagoda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * vLLM's benchmark metrics over successful requests: TTFT; TPOT = (latency − TTFT) / (output
 * tokens − 1) for requests with more than one token; ITL = every inter-chunk gap, pooled; E2E
 * latency; mean, median, std and the chosen percentiles in milliseconds; throughputs and goodput
 * over the wall duration. JSON keys as benchmark_serving.py's --save-result.
 */
final class BenchMetrics {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchMetrics() {
    }

    /**
     * @param maxConcurrency null when unlimited
     * @param goodput        null without --goodput
     */
    static ObjectNode report(List<BenchServeCommand.Result> results, double duration, int numPrompts, Integer maxConcurrency,
                             double requestRate, List<Double> percentiles, Goodput goodput) {
        ObjectNode o = JSON.createObjectNode();
        o.put("date", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        o.put("backend", "vllm");
        o.put("num_prompts", numPrompts);
        if (Double.isInfinite(requestRate)) o.put("request_rate", "inf");
        else o.put("request_rate", requestRate);
        o.put("burstiness", 1.0);
        if (maxConcurrency == null) o.putNull("max_concurrency");
        else o.put("max_concurrency", maxConcurrency);
        List<Double> ttfts = new ArrayList<>(), tpots = new ArrayList<>(), itls = new ArrayList<>(), e2els = new ArrayList<>();
        int completed = 0, failed = 0, good = 0;
        long in = 0, out = 0;
        ArrayNode inputLens = o.putArray("input_lens"), outputLens = o.putArray("output_lens"), ttftArr = o.putArray("ttfts"),
                itlArr = o.putArray("itls"), texts = o.putArray("generated_texts"), errors = o.putArray("errors");
        for (BenchServeCommand.Result r : results) {
            errors.add(r.error());
            if (!r.success()) {
                failed++;
                inputLens.add(0);
                outputLens.add(0);
                ttftArr.add(0.0);
                itlArr.addArray();
                texts.add("");
                continue;
            }
            completed++;
            if (goodput != null && goodput.met(r)) good++;
            in += r.inputTokens();
            out += r.outputTokens();
            inputLens.add(r.inputTokens());
            outputLens.add(r.outputTokens());
            ttftArr.add(r.ttft());
            ArrayNode gaps = itlArr.addArray();
            r.itl().forEach(gaps::add);
            texts.add(r.text());
            ttfts.add(r.ttft());
            itls.addAll(r.itl());
            e2els.add(r.latency());
            if (r.outputTokens() > 1) tpots.add((r.latency() - r.ttft()) / (r.outputTokens() - 1));
        }
        o.put("duration", duration);
        o.put("completed", completed);
        o.put("failed", failed);
        o.put("total_input_tokens", in);
        o.put("total_output_tokens", out);
        o.put("request_throughput", completed / duration);
        // benchmark_serving.py writes the key with a colon; `vllm bench serve` without
        for (String key : new String[]{"request_goodput:", "request_goodput"}) {
            if (goodput == null) o.putNull(key);
            else o.put(key, good / duration);
        }
        o.put("output_throughput", out / duration);
        o.put("total_token_throughput", (in + out) / duration);
        stats(o, "ttft", ttfts, percentiles);
        stats(o, "tpot", tpots, percentiles);
        stats(o, "itl", itls, percentiles);
        stats(o, "e2el", e2els, percentiles);
        return o;
    }

    private static void stats(ObjectNode o, String key, List<Double> seconds, List<Double> percentiles) {
        double[] ms = seconds.stream().mapToDouble(s -> s * 1000).sorted().toArray();
        double mean = ms.length == 0 ? 0 : Arrays.stream(ms).average().orElse(0);
        double var = ms.length == 0 ? 0 : Arrays.stream(ms).map(x -> (x - mean) * (x - mean)).sum() / ms.length;
        o.put("mean_" + key + "_ms", mean);
        o.put("median_" + key + "_ms", percentile(ms, 50));
        o.put("std_" + key + "_ms", Math.sqrt(var));
        for (double p : percentiles) o.put("p" + percentileName(p) + "_" + key + "_ms", percentile(ms, p));
    }

    /** As vLLM names percentile keys: 99 → "99", 99.9 → "99.9". */
    static String percentileName(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }

    /** numpy's default (linear) percentile of sorted values; 0 when empty. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return 0;
        double pos = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
