package dev.pagoda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.LLM;
import dev.pagoda.engine.Prompt;
import dev.pagoda.engine.RequestMetrics;
import dev.pagoda.engine.RequestOutput;
import dev.pagoda.sampling.SamplingParams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code pagoda bench throughput}, llama-bench style: prompt processing (pp: tokens/s to prefill
 * one prompt), single-stream decode (tg: tokens/s of one sequence after its first token) and
 * aggregate decode at given concurrencies (c sequences decoding together). Random token prompts,
 * exact lengths (ignore_eos), warm-up runs discarded, medians reported.
 */
final class ThroughputBench implements Command {
    private static final String USAGE = """
            usage: pagoda bench throughput [--model PATH] [--prompt-len 512] [--gen-len 128] [--concurrency 1,4,8,16]
                                           [--runs 5] [--warmup 1] [--seed 0] [--output-json FILE] [--no-bounds]
                                           [engine flags]
              pp<prompt-len>: prompt tokens/s of one prefill (time to first token)
              tg<gen-len>:    decode tokens/s of one sequence, (gen-len - 1) / (last token time - first token time),
                              and the median time between its tokens over the measured runs
              c<N>:           aggregate decode tokens/s of N sequences generating gen-len tokens together
              Reports the median of --runs after --warmup discarded runs, and the min and max.
              Then, unless --no-bounds, each median against the machine's limits measured in this process
              (the probes of bench kernels, best of a run before and after): pp and cN in GFLOP/s of the F32
              FMA peak (2 FLOPs per weight per token), tg in GB/s of the read bandwidth (the bytes of every
              matrix the step reads: all layers and the LM head, not the embedding rows). Each measured tg run
              is also held against the better of two read probes taken just before and just after it
              (the bandwidth of its moment: on a shared machine it can change by half within minutes).""";

    @Override
    public String summary() {
        return "prompt processing, single-stream and batched decode tokens/s (llama-bench style)";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = CliArgs.parse(argv, USAGE, "--no-bounds");
        if (a == null) return 0; // --help printed the usage
        int promptLen = orDefault(a.takeInt("--prompt-len"), 512);
        int genLen = orDefault(a.takeInt("--gen-len"), 128);
        int[] concurrency = a.has("--concurrency") ? a.takeIntList("--concurrency") : new int[]{1, 4, 8, 16};
        int runs = orDefault(a.takeInt("--runs"), 5);
        int warmup = orDefault(a.takeInt("--warmup"), 1);
        long seed = a.has("--seed") ? a.takeLong("--seed") : 0;
        String jsonOut = a.take("--output-json");
        boolean bounds = !a.takeSwitch("--no-bounds");
        if (promptLen < 1 || genLen < 2 || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("--prompt-len must be ≥ 1, --gen-len ≥ 2, --runs ≥ 1, --warmup ≥ 0");
        }
        int maxConcurrency = Arrays.stream(concurrency).max().orElse(1);
        EngineArgs args = new EngineArgs();
        args.maxNumSeqs = Math.max(maxConcurrency, 1);
        args.maxNumBatchedTokens = Math.max(promptLen, 512);
        args.maxModelLen = promptLen + genLen + 8;
        a.applyEngineFlags(args);

        Map<String, Object> results = new LinkedHashMap<>();
        try (LLM llm = new LLM(args); ThroughputBounds limits = bounds ? ThroughputBounds.measure(args.numThreads) : null) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int vocab = llm.modelConfig().vocabSize();
            String model = String.valueOf(args.model != null ? args.model : LLM.bundledModel());
            System.out.printf("model %s, %s weights, %d threads%n", model, args.quantization != null ? args.quantization : args.dtype.equals("auto") ? llm.modelConfig().weightDType() : args.dtype, args.numThreads);
            System.out.printf("%-10s %12s %12s %12s%n", "test", "median t/s", "min t/s", "max t/s");

            results.put("pp" + promptLen, measure("pp" + promptLen, runs, warmup, () -> {
                RequestOutput o = generate(llm, List.of(randomPrompt(rnd, promptLen, vocab)), 1).getFirst();
                RequestMetrics m = o.metrics();
                return promptLen / (m.firstTokenTime() - m.firstScheduledTime());
            }));
            double[] overhead = new double[1];
            for (int c : concurrency) {
                String name = c == 1 ? "tg" + genLen : "c" + c + " tg" + genLen;
                int[] runIndex = {0};
                List<Double> stepTimes = new ArrayList<>(); // seconds between a measured tg run's tokens
                results.put(name, measure(name, runs, warmup, () -> {
                    boolean measured = runIndex[0]++ >= warmup;
                    boolean pair = c == 1 && limits != null && measured;
                    double probe = pair ? limits.readNow() : 0;
                    List<Prompt> prompts = new ArrayList<>();
                    for (int i = 0; i < c; i++) prompts.add(randomPrompt(rnd, 8, vocab));
                    long wallStart = System.nanoTime(), forwardStart = llm.engine().forwardNanos();
                    List<RequestOutput> outs = c == 1 ? List.of(generateTimed(llm, prompts.getFirst(), genLen, measured ? stepTimes : new ArrayList<>()))
                            : generate(llm, prompts, genLen);
                    overhead[0] = 1 - (llm.engine().forwardNanos() - forwardStart) / (double) (System.nanoTime() - wallStart);
                    double firstAll = outs.stream().mapToDouble(o -> o.metrics().firstTokenTime()).max().orElseThrow();
                    double lastAll = outs.stream().mapToDouble(o -> o.metrics().lastTokenTime()).max().orElseThrow();
                    double tps = c * (genLen - 1) / (lastAll - firstAll);
                    if (pair) limits.pairDecode(tps * llm.weights().bytesReadPerStep() / 1e9, probe, limits.readNow());
                    return tps;
                }));
                System.out.printf("%-10s engine time outside the forward pass: %.1f%% of the last run%n", "", 100 * overhead[0]);
                if (c == 1) {
                    double medianStep = PrefixCacheBench.median(stepTimes.stream().mapToDouble(Double::doubleValue).toArray());
                    System.out.printf("%-10s median time per output token %.2f ms (%.2f t/s) over the %d decode steps of the measured runs%n", "",
                            1e3 * medianStep, 1 / medianStep, stepTimes.size());
                    @SuppressWarnings("unchecked") Map<String, Object> row = (Map<String, Object>) results.get(name);
                    row.put("median_time_per_output_token_s", medianStep);
                }
            }
            if (limits != null) results.put("bounds", limits.report(llm, results));
        }
        if (jsonOut != null) {
            Files.writeString(Path.of(jsonOut), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
        }
        return 0;
    }

    private interface Run {
        double tokensPerSecond() throws Exception;
    }

    /** Runs warm-ups, then the measured runs; prints and returns median, min, max and every figure. */
    private static Map<String, Object> measure(String name, int runs, int warmup, Run run) throws Exception {
        for (int i = 0; i < warmup; i++) run.tokensPerSecond();
        double[] figures = new double[runs];
        for (int i = 0; i < runs; i++) figures[i] = run.tokensPerSecond();
        double[] sorted = figures.clone();
        Arrays.sort(sorted);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("median_tokens_per_s", PrefixCacheBench.median(figures));
        m.put("min_tokens_per_s", sorted[0]);
        m.put("max_tokens_per_s", sorted[runs - 1]);
        m.put("runs", figures);
        System.out.printf("%-10s %12.2f %12.2f %12.2f%n", name, m.get("median_tokens_per_s"), m.get("min_tokens_per_s"), m.get("max_tokens_per_s"));
        return m;
    }

    private static List<RequestOutput> generate(LLM llm, List<Prompt> prompts, int tokens) {
        return llm.generatePrompts(prompts, greedy(tokens));
    }

    /**
     * One sequence's generation, adding to {@code gaps} the seconds between its tokens: the
     * median of those is the decode speed without the rare slow step (on a shared machine a
     * descheduled thread or a dip in bandwidth), which the tg figure, a mean, includes.
     */
    private static RequestOutput generateTimed(LLM llm, Prompt prompt, int tokens, List<Double> gaps) {
        long[] last = {0};
        int[] seen = {0};
        return llm.generate(prompt, greedy(tokens), o -> {
            long now = System.nanoTime();
            int n = o.outputs().getFirst().tokenIds().length;
            if (seen[0] > 0 && n > seen[0]) gaps.add((now - last[0]) / 1e9 / (n - seen[0]));
            last[0] = now;
            seen[0] = n;
        });
    }

    /** Exactly {@code tokens} greedy tokens (EOS ignored). */
    private static SamplingParams greedy(int tokens) {
        return SamplingParams.builder().temperature(0.0).maxTokens(tokens).ignoreEos(true).build();
    }

    private static Prompt randomPrompt(SplittableRandom rnd, int length, int vocab) {
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) ids[i] = rnd.nextInt(vocab);
        return Prompt.tokens(ids);
    }

    private static int orDefault(Integer v, int d) {
        return v != null ? v : d;
    }
}
