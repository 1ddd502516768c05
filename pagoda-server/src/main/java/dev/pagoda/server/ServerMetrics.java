package dev.pagoda.server;

import dev.pagoda.engine.CompletionOutput;
import dev.pagoda.engine.EngineStats;
import dev.pagoda.engine.RequestMetrics;
import dev.pagoda.engine.RequestOutput;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * vLLM's Prometheus metrics, same names and the {@code model_name} label, so dashboards and
 * routers built for vLLM read Pagoda unchanged. Token counters and inter-token latency come from
 * the engine's step outputs (engine thread); per-request latencies are recorded when a request's
 * response is complete (HTTP side); gauges read the engine's last-step stats at scrape time.
 */
public final class ServerMetrics {
    private static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0,
            2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    private static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
            5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    private static final double[] REQUEST_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0,
            50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

    private final String model;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Counter requestSuccess;
    private final Histogram ttft;
    private final Histogram itl;
    private final Histogram e2e;
    private final Histogram queueTime;
    /** Per running request: output tokens seen and the time of its last token (engine thread only writes). */
    private final Map<String, double[]> progress = new ConcurrentHashMap<>();

    public ServerMetrics(String modelName, Supplier<EngineStats> stats) {
        this.model = modelName;
        gauge("vllm:num_requests_running", "Number of requests in model execution batches.", () -> stats.get().running());
        gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", () -> stats.get().waiting());
        gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", () -> stats.get().kvCacheUsage());
        promptTokens = counter("vllm:prompt_tokens", "Number of prefill tokens processed.");
        generationTokens = counter("vllm:generation_tokens", "Number of generation tokens processed.");
        // Pagoda has no prefix cache yet: both stay 0 (queries count prompt tokens looked up, hits the ones found).
        counter("vllm:prefix_cache_queries", "Prefix cache queries, in terms of number of queried tokens.");
        counter("vllm:prefix_cache_hits", "Prefix cache hits, in terms of number of cached tokens.");
        requestSuccess = Counter.builder().name("vllm:request_success").help("Count of successfully processed requests.")
                .labelNames("model_name", "finished_reason").register(registry);
        ttft = histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", TTFT_BUCKETS);
        itl = histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", ITL_BUCKETS);
        e2e = histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", REQUEST_BUCKETS);
        queueTime = histogram("vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", REQUEST_BUCKETS);
    }

    private void gauge(String name, String help, Supplier<Number> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("model_name")
                .callback(cb -> cb.call(value.get().doubleValue(), model)).register(registry);
    }

    private Counter counter(String name, String help) {
        Counter c = Counter.builder().name(name).help(help).labelNames("model_name").register(registry);
        c.labelValues(model).inc(0);
        return c;
    }

    private Histogram histogram(String name, String help, double[] buckets) {
        return Histogram.builder().name(name).help(help).labelNames("model_name").classicOnly().classicUpperBounds(buckets)
                .register(registry);
    }

    /** A batch of engine outputs (a step's or an abort's), on the engine thread before they reach their requests. */
    public void observeStep(List<RequestOutput> outputs) {
        for (RequestOutput o : outputs) {
            int tokens = 0;
            for (CompletionOutput c : o.outputs()) tokens += c.tokenIds().length;
            double[] p = progress.get(o.requestId());
            if (p == null) {
                promptTokens.labelValues(model).inc(o.promptTokenIds().length);
                p = new double[]{0, Double.NaN};
            }
            double last = o.metrics().lastTokenTime();
            if (tokens > p[0] && !Double.isNaN(p[1])) {
                // Tokens of one step share one time; the gap is the step's, once per new token of the request.
                for (int i = 0; i < tokens - (int) p[0]; i++) itl.labelValues(model).observe(last - p[1]);
            }
            if (tokens > p[0]) generationTokens.labelValues(model).inc(tokens - p[0]);
            if (o.finished()) {
                progress.remove(o.requestId());
            } else {
                progress.put(o.requestId(), new double[]{tokens, last});
            }
        }
    }

    /** A request whose response is complete, with the reason it ended ("stop", "length", "abort"). */
    public void requestDone(RequestOutput last, String finishReason, double endTime) {
        requestSuccess.labelValues(model, finishReason).inc();
        RequestMetrics m = last.metrics();
        if (!Double.isNaN(m.firstTokenTime())) ttft.labelValues(model).observe(m.firstTokenTime() - m.arrivalTime());
        if (!Double.isNaN(m.firstScheduledTime())) queueTime.labelValues(model).observe(m.firstScheduledTime() - m.arrivalTime());
        e2e.labelValues(model).observe(endTime - m.arrivalTime());
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
