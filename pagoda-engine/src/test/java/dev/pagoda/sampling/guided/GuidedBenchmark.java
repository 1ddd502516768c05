package dev.pagoda.sampling.guided;

import dev.pagoda.tokenizer.Tokenizer;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Compile time, automaton size, mask cost and memory of guided decoding on a real vocabulary:
 * a timer to run by hand (not a test). Arguments: tokenizer path (default the shared Qwen2.5
 * tokenizer), logits width (default 151936), number of generated schemas (default 100).
 *
 * <pre>
 * cd pagoda-engine && mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     dev.pagoda.sampling.guided.GuidedBenchmark ../../shared/tokenizers/qwen2.5 151936 100
 * </pre>
 */
public final class GuidedBenchmark {
    private GuidedBenchmark() {
    }

    /** A uniformly drawn allowed token that is not EOS, or -1 if there is none. */
    static int randomTextToken(TokenMask mask, TokenTrie trie, SplittableRandom rng) {
        java.util.BitSet bits = mask.toBitSet();
        for (int tries = 0; tries < 100; tries++) {
            int k = rng.nextInt(Math.max(bits.cardinality(), 1));
            int id = bits.nextSetBit(0);
            for (int i = 0; i < k && id >= 0; i++) id = bits.nextSetBit(id + 1);
            if (id >= 0 && !trie.isEos(id)) return id;
        }
        return -1;
    }

    public static void main(String[] args) {
        Path tokenizerPath = Path.of(args.length > 0 ? args[0] : "../../shared/tokenizers/qwen2.5");
        int width = args.length > 1 ? Integer.parseInt(args[1]) : 151_936;
        int schemas = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

        Tokenizer tokenizer = Tokenizer.load(tokenizerPath);
        long t0 = System.nanoTime();
        TokenTrie trie = TokenTrie.of(tokenizer, width);
        System.out.printf("vocabulary %d tokens, trie %d nodes (%.1f MB), built in %.0f ms%n", tokenizer.vocabSize(),
                trie.nodeCount(), trie.memoryBytes() / 1e6, (System.nanoTime() - t0) / 1e6);

        List<GuidedSpec> specs = new ArrayList<>();
        specs.add(new GuidedSpec.JsonObject());
        specs.add(new GuidedSpec.Regex("(\\d{3}-){2}\\d{4}|[A-Z][a-z]+ [A-Z][a-z]+"));
        specs.add(new GuidedSpec.Choice(List.of("positive", "negative", "neutral")));
        SchemaGenerator gen = new SchemaGenerator(2024);
        for (int i = 0; i < schemas; i++) specs.add(GuidedSpec.JsonSchema.of(gen.next()));

        GrammarCompiler compiler = new GrammarCompiler(trie, specs.size());
        double[] compileMs = new double[specs.size()];
        double[] compileCpuMs = new double[specs.size()];
        double maxAllocMb = 0;
        int maxStates = 0;
        long maskNanos = 0;
        int masks = 0;
        double maxGrammarMb = 0;
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < specs.size(); i++) {
            long alloc0 = threads.getCurrentThreadAllocatedBytes();
            long c0 = System.nanoTime();
            long cpu0 = threads.getCurrentThreadCpuTime();
            CompiledGrammar g = compiler.compile(specs.get(i));
            compileMs[i] = (System.nanoTime() - c0) / 1e6;
            compileCpuMs[i] = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
            maxAllocMb = Math.max(maxAllocMb, (threads.getCurrentThreadAllocatedBytes() - alloc0) / 1e6);
            maxStates = Math.max(maxStates, g.stateCount());
            // Masks along random paths through the grammar, as decoding would reach them.
            for (int walk = 0; walk < 5; walk++) {
                GuidedState s = g.newState();
                while (!s.isTerminal()) {
                    long m0 = System.nanoTime();
                    int before = g.cachedMasks();
                    TokenMask mask = s.allowedTokens();
                    if (g.cachedMasks() > before) {
                        maskNanos += System.nanoTime() - m0;
                        masks++;
                    }
                    if (s.isAccepting() && rng.nextInt(4) == 0) break;
                    int id = randomTextToken(mask, trie, rng);
                    if (id < 0) break;
                    s.advance(id);
                }
            }
            maxGrammarMb = Math.max(maxGrammarMb, g.memoryBytes() / 1e6);
        }
        double[] sorted = compileMs.clone();
        Arrays.sort(sorted);
        double[] cpuSorted = compileCpuMs.clone();
        Arrays.sort(cpuSorted);
        System.out.printf("compile CPU time: total %.0f ms, median %.1f ms, p90 %.1f ms, max %.1f ms (wall time depends on the machine's load)%n",
                Arrays.stream(compileCpuMs).sum(), cpuSorted[cpuSorted.length / 2], cpuSorted[cpuSorted.length * 9 / 10], cpuSorted[cpuSorted.length - 1]);
        System.out.printf("%d constraints: compile wall median %.1f ms, p90 %.1f ms, max %.1f ms; max %d DFA states; max %.0f MB allocated while compiling one%n",
                specs.size(), sorted[sorted.length / 2], sorted[sorted.length * 9 / 10], sorted[sorted.length - 1], maxStates, maxAllocMb);
        CompiledGrammar jsonObject = compiler.compile(specs.get(0));
        System.out.printf("json_object: %d states, compiled in %.1f ms (%.1f ms CPU)%n", jsonObject.stateCount(), jsonObject.compileNanos() / 1e6, compileCpuMs[0]);
        String big = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":1000},\"n\":{\"type\":\"integer\"}}}";
        long b0 = threads.getCurrentThreadCpuTime();
        CompiledGrammar bigGrammar = compiler.compile(new GuidedSpec.JsonSchema(big));
        System.out.printf("a string of maxLength 1000: %d states, %.0f ms CPU%n", bigGrammar.stateCount(), (threads.getCurrentThreadCpuTime() - b0) / 1e6);
        System.out.printf("masks: %d computed, mean %.2f ms each; largest grammar with its cached masks %.1f MB%n",
                masks, maskNanos / 1e6 / Math.max(masks, 1), maxGrammarMb);

        // Applying a cached mask to a logits row: the per-token cost a guided request adds.
        CompiledGrammar g = compiler.compile(specs.get(3));
        TokenMask mask = g.newState().allowedTokens();
        float[] logits = new float[width];
        int reps = 2000;
        long a0 = System.nanoTime();
        for (int r = 0; r < reps; r++) {
            logits[r % width] = r;
            mask.apply(logits, 0);
        }
        System.out.printf("apply mask to a %d-wide row: %.1f us%n", width, (System.nanoTime() - a0) / 1e3 / reps);
    }
}
