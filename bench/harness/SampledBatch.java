import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.LLM;
import dev.pagoda.engine.Prompt;
import dev.pagoda.engine.RequestOutput;
import dev.pagoda.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.*;

/**
 * Sixteen sequences decoding together with temperature 0.8 and top_p 0.9, and optionally a
 * presence penalty (a logits processor on every request) (seeded, 8-token random
 * prompts, 64 tokens each, Q8_0 weights): aggregate decode tokens/s, median of 5 runs after 1
 * warm-up, and a hash of the last run's tokens, which must not change between builds that claim
 * the same draws. Written to measure drawing the batch's tokens on the workers (LLMEngine's
 * ParallelDraws). On a synthetic checkpoint (random weights) the rows are nearly flat, so a top-p
 * nucleus holds most of the vocabulary: the sampler's most expensive case.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o install -DskipTests
 * java -Xmx3g --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dpagoda.home=. \
 *     -cp pagoda-cli/target/pagoda.jar bench/harness/SampledBatch.java MODEL_DIR [PRESENCE_PENALTY]
 * </pre>
 */
public class SampledBatch {
    public static void main(String[] a) throws Exception {
        EngineArgs args = new EngineArgs().model(Path.of(a[0]));
        double presence = a.length > 1 ? Double.parseDouble(a[1]) : 0; // a logits processor on every request
        args.quantization = "q8_0";
        args.maxNumSeqs = 16;
        args.maxNumBatchedTokens = 512;
        args.maxModelLen = 200;
        try (LLM llm = new LLM(args)) {
            llm.showProgress(false);
            SplittableRandom rnd = new SplittableRandom(1);
            double[] tps = new double[6];
            for (int run = 0; run < 6; run++) {
                List<Prompt> prompts = new ArrayList<>();
                List<SamplingParams> params = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    int[] ids = new int[8];
                    for (int j = 0; j < 8; j++) ids[j] = rnd.nextInt(150000);
                    prompts.add(Prompt.tokens(ids));
                    params.add(SamplingParams.builder().temperature(0.8).topP(0.9).maxTokens(64).ignoreEos(true).seed((long) i)
                            .presencePenalty(presence).build());
                }
                List<RequestOutput> outs = llm.generatePrompts(prompts, params);
                double first = outs.stream().mapToDouble(o -> o.metrics().firstTokenTime()).max().orElseThrow();
                double last = outs.stream().mapToDouble(o -> o.metrics().lastTokenTime()).max().orElseThrow();
                tps[run] = 16 * 63 / (last - first);
                if (run == 5) System.out.println("token hash " + outs.stream().mapToInt(o -> java.util.Arrays.hashCode(o.outputs().get(0).tokenIds())).sum());
            }
            double[] m = Arrays.copyOfRange(tps, 1, 6);
            Arrays.sort(m);
            System.out.printf("c16 sampled (t=0.8, top_p=0.9, presence_penalty=" + presence + "): median %.1f t/s (runs %s)%n", m[2], Arrays.toString(Arrays.stream(Arrays.copyOfRange(tps, 1, 6)).map(v -> Math.round(v * 10) / 10.0).toArray()));
        }
    }
}
