package dev.pagoda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.LLM;
import dev.pagoda.engine.Prompt;
import dev.pagoda.engine.RequestOutput;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.sampling.guided.CompiledGrammar;
import dev.pagoda.sampling.guided.GuidedSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * {@code pagoda bench guided}: decode throughput of a batch of guided_json requests against the
 * same batch unconstrained, and the schema's compile time. Both batches generate the same number
 * of tokens per request: the guided one to its EOS, the unconstrained one to that length.
 */
final class GuidedBench implements Command {
    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":12},"
            + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120},\"pets\":{\"type\":\"array\",\"items\":{\"enum\":[\"cat\",\"dog\",\"fish\"]},"
            + "\"maxItems\":3},\"city\":{\"type\":\"string\",\"maxLength\":16}},\"required\":[\"name\",\"age\",\"pets\",\"city\"],"
            + "\"additionalProperties\":false}";
    private static final String USAGE = """
            usage: pagoda bench guided [--model PATH] [--batch 8] [--runs 3] [--prompt TEXT] [engine flags]
              Prints guided and unconstrained decode tokens/s (median of --runs after a warm-up) and the ratio.""";

    @Override
    public String summary() {
        return "guided_json batch throughput vs unconstrained, and schema compile time";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = CliArgs.parse(argv, USAGE);
        if (a == null) return 0; // --help printed the usage
        int batch = a.has("--batch") ? a.takeInt("--batch") : 8;
        int runs = a.has("--runs") ? a.takeInt("--runs") : 3;
        String prompt = a.has("--prompt") ? a.take("--prompt") : "Once upon a time";
        EngineArgs args = new EngineArgs();
        args.maxNumSeqs = batch;
        args.maxModelLen = 512;
        a.applyEngineFlags(args);
        GuidedSpec spec = GuidedSpec.JsonSchema.of(new ObjectMapper().readTree(SCHEMA));
        try (LLM llm = new LLM(args).showProgress(false)) {
            long t0 = System.nanoTime();
            CompiledGrammar grammar = llm.engine().compileConstraint(spec);
            System.out.printf("schema compiled in %.1f ms (%d states; the first compile also builds the vocabulary trie: %.1f ms in all)%n",
                    grammar.compileNanos() / 1e6, grammar.stateCount(), (System.nanoTime() - t0) / 1e6);
            List<Prompt> prompts = Collections.nCopies(batch, Prompt.text(prompt));
            double[] guided = new double[runs], free = new double[runs];
            for (int run = -1; run < runs; run++) { // run -1 warms up
                List<SamplingParams> constrained = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    constrained.add(SamplingParams.builder().temperature(1.0).seed((long) (run * 100 + i)).maxTokens(200).guided(spec).build());
                }
                long start = System.nanoTime();
                List<RequestOutput> outs = llm.generatePrompts(prompts, constrained);
                double seconds = (System.nanoTime() - start) / 1e9;
                List<SamplingParams> plain = new ArrayList<>();
                int tokens = 0;
                for (int i = 0; i < batch; i++) {
                    int n = outs.get(i).outputs().getFirst().tokenIds().length;
                    tokens += n;
                    plain.add(SamplingParams.builder().temperature(1.0).seed((long) (run * 100 + i)).maxTokens(n).ignoreEos(true).build());
                }
                long start2 = System.nanoTime();
                llm.generatePrompts(prompts, plain);
                double seconds2 = (System.nanoTime() - start2) / 1e9;
                if (run >= 0) {
                    guided[run] = tokens / seconds;
                    free[run] = tokens / seconds2;
                }
            }
            double g = PrefixCacheBench.median(guided), f = PrefixCacheBench.median(free);
            System.out.printf("batch of %d: guided_json %.1f tokens/s, unconstrained %.1f tokens/s (medians of %d): ratio %.2f%n",
                    batch, g, f, runs, g / f);
            System.out.println("guided runs: " + Arrays.toString(guided) + "  unconstrained runs: " + Arrays.toString(free));
        }
        return 0;
    }
}
