package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.tokenizer.Tokenizer;

import dev.pagoda.engine.ProgressBar;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code pagoda bench serve}: vLLM's serving benchmark — a random or ShareGPT dataset, streamed
 * completion requests sent at a Poisson --request-rate (or all at once) with at most
 * --max-concurrency in flight, and vLLM's metrics (TTFT, TPOT, ITL, E2E latency with mean, median,
 * std and percentiles; request, token and goodput throughput) printed with its labels and saved
 * with its JSON keys. Works against any server with vLLM's OpenAI-compatible streaming
 * completions (Pagoda, vLLM, llama.cpp's server), at the URL the operator gives.
 */
final class BenchServeCommand implements Command {
    private static final String USAGE = """
            usage: pagoda bench serve --base-url URL [--endpoint /v1/completions] [--model NAME] [--tokenizer DIR]
                                      [--dataset-name random|sharegpt] [--dataset-path FILE] [--sharegpt-output-len N]
                                      [--input-len 1024] [--output-len 128] [--num-prompts 1000] [--request-rate inf|R]
                                      [--max-concurrency N] [--goodput ttft:MS tpot:MS e2el:MS] [--metric-percentiles 90,99]
                                      [--max-duration SECONDS] [--ignore-eos] [--seed 0] [--result-file FILE]
              random: --tokenizer makes input lengths exact (random token ids, sent as token prompts); without it a
              prompt is --input-len short words (about that many tokens).
              sharegpt: a ShareGPT JSON file (needs --tokenizer); first turn as prompt, second turn's length as output.
              --request-rate: requests per second, Poisson arrivals (inf: all at once); --max-concurrency caps those in flight.
              --max-duration: no request is sent after it, and requests still streaming are cut there (counted as failed).""";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one request measured (seconds). */
    record Result(boolean success, double ttft, double latency, List<Double> itl, int outputTokens, int inputTokens,
                  String text, String error) {
    }

    /** How the requests are sent. */
    record Load(double requestRate, Integer maxConcurrency, Double maxDurationSeconds, long seed) {
    }

    @Override
    public String summary() {
        return "measure a running server (TTFT, TPOT, ITL, throughput, goodput) as vLLM's serving benchmark does";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = CliArgs.parse(joinGoodput(argv), USAGE, "--ignore-eos");
        if (a == null) return 0; // --help printed the usage
        String base = a.take("--base-url");
        if (base == null) throw new IllegalArgumentException("--base-url is required (e.g. http://127.0.0.1:8000)");
        String endpoint = orDefault(a.take("--endpoint"), "/v1/completions");
        String model = a.take("--model");
        String tokenizerDir = a.take("--tokenizer");
        String datasetName = orDefault(a.take("--dataset-name"), "random");
        String datasetPath = a.take("--dataset-path");
        Integer sharegptOutputLen = a.takeInt("--sharegpt-output-len");
        int inputLen = orDefault(a.takeInt("--input-len"), 1024);
        int outputLen = orDefault(a.takeInt("--output-len"), 128);
        int numPrompts = orDefault(a.takeInt("--num-prompts"), 1000);
        double rate = ArrivalSchedule.parseRate(a.take("--request-rate"));
        Integer maxConcurrency = a.takeInt("--max-concurrency");
        String goodputSpec = a.take("--goodput");
        List<Double> percentiles = percentiles(orDefault(a.take("--metric-percentiles"), "90,99"));
        Double maxDuration = a.takeDouble("--max-duration");
        boolean ignoreEos = a.takeSwitch("--ignore-eos");
        long seed = orDefault(a.takeInt("--seed"), 0);
        String resultFile = a.take("--result-file");
        if (!a.remaining().isEmpty()) throw new IllegalArgumentException("unknown flag '" + a.remaining().getFirst() + "'");
        if (numPrompts < 1 || (maxConcurrency != null && maxConcurrency < 1) || (maxDuration != null && maxDuration <= 0)) {
            throw new IllegalArgumentException("--num-prompts and --max-concurrency must be at least 1, --max-duration positive");
        }
        Goodput goodput = goodputSpec == null ? null : Goodput.parse(goodputSpec);
        Tokenizer tokenizer = tokenizerDir == null ? null : Tokenizer.load(Path.of(tokenizerDir));
        List<ServeDataset.BenchRequest> requests = switch (datasetName) {
            case "random" -> ServeDataset.random(tokenizer, inputLen, outputLen, numPrompts, seed);
            case "sharegpt" -> {
                if (datasetPath == null) throw new IllegalArgumentException("--dataset-name sharegpt needs --dataset-path FILE");
                yield ServeDataset.sharegpt(Path.of(datasetPath), tokenizer, sharegptOutputLen, numPrompts, seed);
            }
            default -> throw new IllegalArgumentException("--dataset-name must be random or sharegpt, got '" + datasetName + "'");
        };
        StreamingHttpClient http = new StreamingHttpClient(base);
        if (model == null) model = firstModel(http, base);
        ObjectNode report = run(http, endpoint, model, requests, ignoreEos, new Load(rate, maxConcurrency, maxDuration, seed), percentiles,
                goodput, System.err);
        report.put("model_id", model);
        report.put("tokenizer_id", tokenizerDir);
        System.out.print(table(report, percentiles, goodput != null));
        if (resultFile != null) Files.writeString(Path.of(resultFile), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return report.get("failed").asInt() == 0 ? 0 : 1;
    }

    /** {@code --goodput ttft:500 tpot:50} takes several words, as vLLM's does: joins them into one value. */
    static String[] joinGoodput(String[] argv) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            out.add(argv[i]);
            if (!argv[i].equals("--goodput")) continue;
            List<String> parts = new ArrayList<>();
            while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) parts.add(argv[++i]);
            out.add(String.join(",", parts));
        }
        return out.toArray(String[]::new);
    }

    private static List<Double> percentiles(String v) {
        List<Double> out = new ArrayList<>();
        for (String p : v.split(",")) {
            try {
                double d = Double.parseDouble(p.trim());
                if (d <= 0 || d >= 100) throw new NumberFormatException();
                out.add(d);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--metric-percentiles takes numbers in (0, 100) separated by commas, got '" + v + "'");
            }
        }
        return out;
    }

    private static <T> T orDefault(T v, T d) {
        return v != null ? v : d;
    }

    private static String firstModel(StreamingHttpClient http, String base) throws Exception {
        StringBuilder body = new StringBuilder();
        int status = http.exchange("GET", "/v1/models", null, line -> {
            body.append(line).append('\n');
            return true;
        });
        if (status != 200) throw new IllegalStateException("GET " + base + "/v1/models answered " + status + ": " + body);
        return JSON.readTree(body.toString()).get("data").get(0).get("id").asText();
    }

    /**
     * One uncounted test request, then every request at its scheduled send time; a request waits
     * for a concurrency slot before its clock starts (as vLLM's). Requests not sent before
     * --max-duration are left out; those still streaming then are cut and fail.
     */
    static ObjectNode run(StreamingHttpClient http, String endpoint, String model, List<ServeDataset.BenchRequest> requests,
                          boolean ignoreEos, Load load, List<Double> percentiles, Goodput goodput, PrintStream progressOut)
            throws InterruptedException {
        Result test = request(http, endpoint, model, requests.getFirst(), ignoreEos, Long.MAX_VALUE);
        if (!test.success()) throw new IllegalStateException("the initial test request failed: " + test.error());
        double[] offsets = ArrivalSchedule.offsets(requests.size(), load.requestRate(), load.seed());
        Semaphore slots = new Semaphore(load.maxConcurrency() == null ? Integer.MAX_VALUE : load.maxConcurrency());
        Result[] results = new Result[requests.size()];
        List<Thread> threads = new ArrayList<>();
        ProgressBar progress = new ProgressBar("Requests", requests.size(), progressOut);
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = load.maxDurationSeconds() == null ? Long.MAX_VALUE : start + (long) (load.maxDurationSeconds() * 1e9);
        for (int i = 0; i < requests.size(); i++) {
            long due = start + (long) (offsets[i] * 1e9);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) LockSupport.parkNanos(wait);
            if (System.nanoTime() >= deadline) break;
            int index = i;
            threads.add(Thread.ofVirtual().start(() -> {
                slots.acquireUninterruptibly();
                try {
                    if (System.nanoTime() < deadline) results[index] = request(http, endpoint, model, requests.get(index), ignoreEos, deadline);
                } finally {
                    slots.release();
                    synchronized (progress) {
                        progress.update(done.incrementAndGet());
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        progress.finish();
        double duration = (System.nanoTime() - start) / 1e9;
        List<Result> sent = java.util.Arrays.stream(results).filter(java.util.Objects::nonNull).toList();
        if (sent.size() < requests.size()) {
            progressOut.printf("stopped at --max-duration: %d of %d requests sent%n", sent.size(), requests.size());
        }
        return BenchMetrics.report(sent, duration, requests.size(), load.maxConcurrency(), load.requestRate(), percentiles, goodput);
    }

    /** One streamed completion, timed as vLLM's benchmark times it. */
    static Result request(StreamingHttpClient http, String endpoint, String model, ServeDataset.BenchRequest r, boolean ignoreEos, long deadline) {
        int inputLen = r.inputLen();
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.set("prompt", r.prompt());
        body.put("max_tokens", r.outputLen());
        body.put("temperature", 0.0);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        if (ignoreEos) body.put("ignore_eos", true);
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            Stream stream = new Stream(System.nanoTime(), deadline); // as vLLM: the clock starts when the request is sent
            int status = http.exchange("POST", endpoint, bytes, stream::line);
            if (status != 200) return new Result(false, 0, 0, List.of(), 0, inputLen, "", status + " " + stream.raw);
            if (stream.error != null) return new Result(false, 0, 0, List.of(), 0, inputLen, stream.text.toString(), stream.error);
            if (!stream.done) return new Result(false, 0, 0, List.of(), 0, inputLen, stream.text.toString(),
                    stream.cut ? "cut at --max-duration" : "the stream ended without [DONE]");
            double latency = (System.nanoTime() - stream.start) / 1e9;
            int tokens = stream.outputTokens >= 0 ? stream.outputTokens : stream.itl.size() + 1;
            return new Result(true, stream.ttft, latency, stream.itl, tokens, inputLen,
                    stream.text.toString(), "");
        } catch (Exception e) {
            return new Result(false, 0, 0, List.of(), 0, inputLen, "", e.toString());
        }
    }

    /** One streamed response as it arrives: TTFT, the gaps between chunks, the text and the usage. */
    private static final class Stream {
        final long start;
        final long deadline;
        boolean done;
        boolean cut;
        long last;
        double ttft;
        final List<Double> itl = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        final StringBuilder raw = new StringBuilder();
        int outputTokens = -1;
        String error;

        Stream(long start, long deadline) {
            this.start = start;
            this.deadline = deadline;
            this.last = start;
        }

        boolean line(String line) throws java.io.IOException {
            long now = System.nanoTime();
            if (now >= deadline) {
                cut = true;
                return false;
            }
            if (raw.length() < 4096) raw.append(line);
            if (!line.startsWith("data: ")) return true;
            String data = line.substring(6).strip();
            if (data.equals("[DONE]")) {
                done = true;
                return false;
            }
            JsonNode chunk = JSON.readTree(data);
            if (chunk.has("error")) {
                error = chunk.get("error").toString();
                return false;
            }
            JsonNode usage = chunk.get("usage");
            if (usage != null && !usage.isNull()) outputTokens = usage.get("completion_tokens").asInt();
            JsonNode choices = chunk.get("choices");
            if (choices == null || choices.isEmpty()) return true;
            if (ttft == 0) ttft = (now - start) / 1e9;
            else itl.add((now - last) / 1e9);
            last = now;
            text.append(choices.get(0).path("text").asText(""));
            return true;
        }
    }

    static String table(ObjectNode r, List<Double> percentiles, boolean goodput) {
        StringBuilder sb = new StringBuilder();
        sb.append("============ Serving Benchmark Result ============\n");
        line(sb, "Successful requests:", r.get("completed").asText());
        line(sb, "Failed requests:", r.get("failed").asText());
        line(sb, "Benchmark duration (s):", f(r, "duration"));
        line(sb, "Total input tokens:", r.get("total_input_tokens").asText());
        line(sb, "Total generated tokens:", r.get("total_output_tokens").asText());
        line(sb, "Request throughput (req/s):", f(r, "request_throughput"));
        if (goodput) line(sb, "Request goodput (req/s):", f(r, "request_goodput"));
        line(sb, "Output token throughput (tok/s):", f(r, "output_throughput"));
        line(sb, "Total Token throughput (tok/s):", f(r, "total_token_throughput"));
        section(sb, r, "Time to First Token", "ttft", "TTFT", percentiles);
        section(sb, r, "Time per Output Token (excl. 1st token)", "tpot", "TPOT", percentiles);
        section(sb, r, "Inter-token Latency", "itl", "ITL", percentiles);
        section(sb, r, "End-to-end Latency", "e2el", "E2EL", percentiles);
        sb.append("==================================================\n");
        return sb.toString();
    }

    private static void section(StringBuilder sb, ObjectNode r, String title, String key, String label, List<Double> percentiles) {
        int pad = 50 - title.length();
        sb.append("-".repeat(pad / 2)).append(title).append("-".repeat(pad - pad / 2)).append('\n');
        line(sb, "Mean " + label + " (ms):", f(r, "mean_" + key + "_ms"));
        line(sb, "Median " + label + " (ms):", f(r, "median_" + key + "_ms"));
        for (double p : percentiles) {
            String name = BenchMetrics.percentileName(p);
            line(sb, "P" + name + " " + label + " (ms):", f(r, "p" + name + "_" + key + "_ms"));
        }
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format("%-40s %-10s%n", label, value));
    }

    private static String f(ObjectNode r, String key) {
        return String.format("%.2f", r.get(key).asDouble());
    }
}
