package dev.pagoda.cli;

import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.EngineStats;
import dev.pagoda.engine.LLM;
import dev.pagoda.engine.Prompt;
import dev.pagoda.engine.RequestOutput;
import dev.pagoda.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code pagoda bench prefix-cache}: time to first token of requests that share a long,
 * block-aligned prefix, with automatic prefix caching on and off. Sequential variant: request 1
 * finishes, then requests 2..N are sent together (they can reuse its cached blocks). Concurrent
 * variant: all N arrive together (reported, no target).
 */
final class PrefixCacheBench implements Command {
    private static final String USAGE = """
            usage: pagoda bench prefix-cache [--model PATH] [--prefix-len 512] [--suffix-len 32] [--requests 16]
                                             [--seed 0] [engine flags]
              --prefix-len should be a multiple of --block-size: only full blocks are cached.""";

    @Override
    public String summary() {
        return "time to first token with a shared prefix, prefix caching on vs off";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = CliArgs.parse(argv, USAGE);
        if (a == null) return 0; // --help printed the usage
        int prefixLen = a.has("--prefix-len") ? a.takeInt("--prefix-len") : 512;
        int suffixLen = a.has("--suffix-len") ? a.takeInt("--suffix-len") : 32;
        int requests = a.has("--requests") ? a.takeInt("--requests") : 16;
        long seed = a.has("--seed") ? a.takeLong("--seed") : 0;
        if (prefixLen < 1 || suffixLen < 1 || requests < 2) {
            throw new IllegalArgumentException("--prefix-len and --suffix-len must be ≥ 1, --requests ≥ 2");
        }
        EngineArgs args = new EngineArgs();
        args.maxNumSeqs = requests;
        args.maxModelLen = prefixLen + suffixLen + 8;
        a.applyEngineFlags(args);
        if (prefixLen % args.blockSize != 0) {
            System.out.printf("note: --prefix-len %d is not a multiple of --block-size %d; the last partial block is not cached%n",
                    prefixLen, args.blockSize);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Prompt> warmup = prompts(rnd, prefixLen, suffixLen, requests, args);
        List<Prompt> prompts = prompts(rnd, prefixLen, suffixLen, requests, args);
        SamplingParams one = SamplingParams.builder().temperature(0.0).maxTokens(1).build();
        double[][] ttft = new double[2][];
        double[][] concurrent = new double[2][];
        for (int caching = 1; caching >= 0; caching--) {
            args.enablePrefixCaching = caching == 1;
            try (LLM llm = new LLM(args).showProgress(false)) {
                llm.generatePrompts(warmup, one); // JIT warm-up on an unrelated prefix: no cache hits from it
                llm.generatePrompts(prompts.subList(0, 1), one);
                ttft[caching] = ttfts(llm.generatePrompts(prompts.subList(1, requests), one));
                EngineStats s = llm.engine().stats();
                System.out.printf("prefix caching %-3s sequential: median TTFT of requests 2..%d = %.1f ms (prefix cache hits %d of %d tokens)%n",
                        caching == 1 ? "on" : "off", requests, 1e3 * median(ttft[caching]), s.prefixCacheHits(), s.prefixCacheQueries());
            }
            try (LLM llm = new LLM(args).showProgress(false)) {
                llm.generatePrompts(warmup, one);
                concurrent[caching] = ttfts(llm.generatePrompts(prompts, one));
                System.out.printf("prefix caching %-3s concurrent: median TTFT of all %d = %.1f ms%n",
                        caching == 1 ? "on" : "off", requests, 1e3 * median(concurrent[caching]));
            }
        }
        System.out.printf("sequential: %.1fx lower TTFT with prefix caching; concurrent arrival: %.1fx%n",
                median(ttft[0]) / median(ttft[1]), median(concurrent[0]) / median(concurrent[1]));
        return 0;
    }

    /** One shared random prefix, then a distinct random suffix per request. */
    private static List<Prompt> prompts(SplittableRandom rnd, int prefixLen, int suffixLen, int requests, EngineArgs args) {
        int vocab = 256; // ids below every supported vocabulary's size; their values do not matter for timing
        int[] prefix = new int[prefixLen];
        for (int i = 0; i < prefixLen; i++) prefix[i] = 3 + rnd.nextInt(vocab);
        List<Prompt> prompts = new ArrayList<>();
        for (int r = 0; r < requests; r++) {
            int[] ids = Arrays.copyOf(prefix, prefixLen + suffixLen);
            for (int i = prefixLen; i < ids.length; i++) ids[i] = 3 + rnd.nextInt(vocab);
            prompts.add(Prompt.tokens(ids));
        }
        return prompts;
    }

    private static double[] ttfts(List<RequestOutput> outputs) {
        return outputs.stream().mapToDouble(o -> o.metrics().firstTokenTime() - o.metrics().arrivalTime()).toArray();
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
