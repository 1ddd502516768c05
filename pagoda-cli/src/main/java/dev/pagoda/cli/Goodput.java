package dev.pagoda.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Service-level objectives for goodput (DistServe's definition, as vLLM's benchmark): a request
 * counts when it meets every given objective — TTFT, TPOT (0 for a request of at most one
 * token) and end-to-end latency, each at most the given milliseconds.
 */
record Goodput(Map<String, Double> objectivesMs) {

    /** Parses {@code ttft:MS tpot:MS e2el:MS} (space- or comma-separated, any subset). */
    static Goodput parse(String spec) {
        Map<String, Double> slo = new LinkedHashMap<>();
        for (String part : spec.trim().split("[,\\s]+")) {
            String[] kv = part.split(":");
            if (kv.length != 2 || !Map.of("ttft", 0, "tpot", 0, "e2el", 0).containsKey(kv[0])) {
                throw new IllegalArgumentException("--goodput takes ttft:MS, tpot:MS and e2el:MS, got '" + part + "'");
            }
            try {
                double ms = Double.parseDouble(kv[1]);
                if (ms < 0) throw new NumberFormatException();
                slo.put(kv[0], ms);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--goodput " + kv[0] + " must be a non-negative number of milliseconds, got '" + kv[1] + "'");
            }
        }
        return new Goodput(slo);
    }

    boolean met(BenchServeCommand.Result r) {
        double tpot = r.outputTokens() > 1 ? (r.latency() - r.ttft()) / (r.outputTokens() - 1) : 0;
        return within("ttft", r.ttft()) && within("tpot", tpot) && within("e2el", r.latency());
    }

    private boolean within(String metric, double seconds) {
        Double ms = objectivesMs.get(metric);
        return ms == null || seconds * 1000 <= ms;
    }
}
