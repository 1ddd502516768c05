package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.tokenizer.Tokenizer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * {@code pagoda bench serve}: vLLM's serving benchmark, minimal — a random dataset, streamed
 * /v1/completions requests at most --max-concurrency at a time, and vLLM's metrics (TTFT, TPOT,
 * ITL, E2E latency; request and token throughput) printed with its labels and saved with its JSON
 * keys.
 */
final class BenchServeCommand implements Command {
    private static final String USAGE = """
            usage: pagoda bench serve --base-url URL [--model NAME] [--tokenizer DIR] [--input-len 1024] [--output-len 128]
                                      [--num-prompts 1000] [--max-concurrency N] [--ignore-eos] [--seed 0] [--result-file FILE]
              --tokenizer makes input lengths exact (random token ids, sent as token prompts); without it a
              prompt is --input-len short words (about that many tokens).""";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one request measured (seconds). */
    record Result(boolean success, double ttft, double latency, List<Double> itl, int outputTokens, int inputTokens,
                  String text, String error) {
    }

    @Override
    public String summary() {
        return "measure a running server (TTFT, TPOT, ITL, throughput) as vLLM's serving benchmark does";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = new CliArgs(argv, Set.of("--help", "--debug", "--ignore-eos"));
        if (a.takeSwitch("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        a.takeSwitch("--debug");
        String base = a.take("--base-url");
        if (base == null) throw new IllegalArgumentException("--base-url is required (e.g. http://127.0.0.1:8000)");
        String model = a.take("--model");
        String tokenizerDir = a.take("--tokenizer");
        int inputLen = orDefault(a.takeInt("--input-len"), 1024);
        int outputLen = orDefault(a.takeInt("--output-len"), 128);
        int numPrompts = orDefault(a.takeInt("--num-prompts"), 1000);
        Integer maxConcurrency = a.takeInt("--max-concurrency");
        boolean ignoreEos = a.takeSwitch("--ignore-eos");
        long seed = orDefault(a.takeInt("--seed"), 0);
        String resultFile = a.take("--result-file");
        if (!a.remaining().isEmpty()) throw new IllegalArgumentException("unknown flag '" + a.remaining().getFirst() + "'");
        StreamingHttpClient http = new StreamingHttpClient(base);
        if (model == null) model = firstModel(http, base);
        List<JsonNode> prompts = dataset(tokenizerDir == null ? null : Tokenizer.load(Path.of(tokenizerDir)), inputLen, numPrompts, seed);
        ObjectNode report = run(http, base, model, prompts, inputLen, outputLen, ignoreEos,
                maxConcurrency == null ? numPrompts : maxConcurrency);
        report.put("model_id", model);
        report.put("tokenizer_id", tokenizerDir);
        System.out.print(table(report));
        if (resultFile != null) Files.writeString(Path.of(resultFile), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return report.get("failed").asInt() == 0 ? 0 : 1;
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

    /** Random prompts: token ids (exact length) with a tokenizer, else short words. */
    static List<JsonNode> dataset(Tokenizer tokenizer, int inputLen, int n, long seed) {
        Random rnd = new Random(seed);
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (tokenizer != null) {
                ArrayNode ids = JSON.createArrayNode();
                while (ids.size() < inputLen) {
                    int id = rnd.nextInt(tokenizer.vocabSize());
                    if (!tokenizer.isSpecial(id) && !tokenizer.eosTokenIds().contains(id)) ids.add(id);
                }
                out.add(ids);
            } else {
                StringBuilder sb = new StringBuilder();
                for (int w = 0; w < inputLen; w++) sb.append(w == 0 ? "" : " ").append((char) ('a' + rnd.nextInt(26)));
                out.add(JSON.getNodeFactory().textNode(sb.toString()));
            }
        }
        return out;
    }

    static ObjectNode run(StreamingHttpClient http, String base, String model, List<JsonNode> prompts, int inputLen, int outputLen,
                          boolean ignoreEos, int maxConcurrency) throws InterruptedException {
        // As vLLM's benchmark: one test request first (it also warms up the client), not counted.
        Result test = request(http, base, model, prompts.getFirst(), inputLen, outputLen, ignoreEos);
        if (!test.success()) throw new IllegalStateException("the initial test request failed: " + test.error());
        Semaphore slots = new Semaphore(maxConcurrency);
        Result[] results = new Result[prompts.size()];
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < prompts.size(); i++) {
            slots.acquire();
            int index = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    results[index] = request(http, base, model, prompts.get(index), inputLen, outputLen, ignoreEos);
                } finally {
                    slots.release();
                }
            }));
        }
        for (Thread t : threads) t.join();
        double duration = (System.nanoTime() - start) / 1e9;
        return BenchMetrics.report(List.of(results), duration, prompts.size(), maxConcurrency);
    }

    /** One streamed completion, timed as vLLM's benchmark times it. */
    static Result request(StreamingHttpClient http, String base, String model, JsonNode prompt, int inputLen, int outputLen, boolean ignoreEos) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.set("prompt", prompt);
        body.put("max_tokens", outputLen);
        body.put("temperature", 0.0);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        if (ignoreEos) body.put("ignore_eos", true);
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            Stream stream = new Stream(System.nanoTime()); // as vLLM: the clock starts when the request is sent
            int status = http.exchange("POST", "/v1/completions", bytes, stream::line);
            if (status != 200) return new Result(false, 0, 0, List.of(), 0, inputLen, "", status + " " + stream.raw);
            if (stream.error != null) return new Result(false, 0, 0, List.of(), 0, inputLen, stream.text.toString(), stream.error);
            double latency = (System.nanoTime() - stream.start) / 1e9;
            int tokens = stream.outputTokens >= 0 ? stream.outputTokens : stream.itl.size() + 1;
            return new Result(true, stream.ttft, latency, stream.itl, tokens, prompt.isArray() ? prompt.size() : inputLen,
                    stream.text.toString(), "");
        } catch (Exception e) {
            return new Result(false, 0, 0, List.of(), 0, inputLen, "", e.toString());
        }
    }

    /** One streamed response as it arrives: TTFT, the gaps between chunks, the text and the usage. */
    private static final class Stream {
        final long start;
        long last;
        double ttft;
        final List<Double> itl = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        final StringBuilder raw = new StringBuilder();
        int outputTokens = -1;
        String error;

        Stream(long start) {
            this.start = start;
            this.last = start;
        }

        boolean line(String line) throws java.io.IOException {
            long now = System.nanoTime();
            if (raw.length() < 4096) raw.append(line);
            if (!line.startsWith("data: ")) return true;
            String data = line.substring(6).strip();
            if (data.equals("[DONE]")) return false;
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

    static String table(ObjectNode r) {
        StringBuilder sb = new StringBuilder();
        sb.append("============ Serving Benchmark Result ============\n");
        line(sb, "Successful requests:", r.get("completed").asText());
        line(sb, "Failed requests:", r.get("failed").asText());
        line(sb, "Benchmark duration (s):", f(r, "duration"));
        line(sb, "Total input tokens:", r.get("total_input_tokens").asText());
        line(sb, "Total generated tokens:", r.get("total_output_tokens").asText());
        line(sb, "Request throughput (req/s):", f(r, "request_throughput"));
        line(sb, "Output token throughput (tok/s):", f(r, "output_throughput"));
        line(sb, "Total Token throughput (tok/s):", f(r, "total_token_throughput"));
        section(sb, r, "Time to First Token", "ttft", "TTFT");
        section(sb, r, "Time per Output Token (excl. 1st token)", "tpot", "TPOT");
        section(sb, r, "Inter-token Latency", "itl", "ITL");
        section(sb, r, "End-to-end Latency", "e2el", "E2EL");
        sb.append("==================================================\n");
        return sb.toString();
    }

    private static void section(StringBuilder sb, ObjectNode r, String title, String key, String label) {
        int pad = 50 - title.length();
        sb.append("-".repeat(pad / 2)).append(title).append("-".repeat(pad - pad / 2)).append('\n');
        line(sb, "Mean " + label + " (ms):", f(r, "mean_" + key + "_ms"));
        line(sb, "Median " + label + " (ms):", f(r, "median_" + key + "_ms"));
        line(sb, "P99 " + label + " (ms):", f(r, "p99_" + key + "_ms"));
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format("%-40s %-10s%n", label, value));
    }

    private static String f(ObjectNode r, String key) {
        return String.format("%.2f", r.get(key).asDouble());
    }
}
