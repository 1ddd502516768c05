package dev.pagoda.cli;

import dev.pagoda.engine.CompletionOutput;
import dev.pagoda.engine.Logprob;
import dev.pagoda.engine.RequestOutput;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A RequestOutput as JSON-ready maps, with vLLM's field names. */
final class RequestOutputJson {
    private RequestOutputJson() {
    }

    static Map<String, Object> of(RequestOutput r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("request_id", r.requestId());
        m.put("prompt", r.prompt());
        m.put("prompt_token_ids", r.promptTokenIds());
        m.put("prompt_logprobs", r.promptLogprobs() == null ? null : entries(r.promptLogprobs()));
        List<Object> outs = new ArrayList<>();
        for (CompletionOutput o : r.outputs()) outs.add(completion(o));
        m.put("outputs", outs);
        m.put("finished", r.finished());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("arrival_time", finite(r.metrics().arrivalTime()));
        metrics.put("first_scheduled_time", finite(r.metrics().firstScheduledTime()));
        metrics.put("first_token_time", finite(r.metrics().firstTokenTime()));
        metrics.put("last_token_time", finite(r.metrics().lastTokenTime()));
        metrics.put("finished_time", finite(r.metrics().finishedTime()));
        m.put("metrics", metrics);
        if (r.error() != null) m.put("error", r.error());
        return m;
    }

    private static Map<String, Object> completion(CompletionOutput o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", o.index());
        m.put("text", o.text());
        m.put("token_ids", o.tokenIds());
        m.put("cumulative_logprob", finite(o.cumulativeLogprob()));
        m.put("logprobs", o.logprobs() == null ? null : entries(o.logprobs()));
        m.put("finish_reason", o.finishReason() == null ? null : o.finishReason().label);
        m.put("stop_reason", o.stopReason());
        return m;
    }

    /** Per token {"id": {logprob, rank, decoded_token}}, or null (the first prompt token). */
    private static List<Object> entries(List<Map<Integer, Logprob>> list) {
        List<Object> steps = new ArrayList<>();
        for (Map<Integer, Logprob> step : list) {
            if (step == null) {
                steps.add(null);
                continue;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            step.forEach((id, lp) -> entry.put(Integer.toString(id),
                    Map.of("logprob", lp.logprob(), "rank", lp.rank(), "decoded_token", String.valueOf(lp.decodedToken()))));
            steps.add(entry);
        }
        return steps;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
