import dev.pagoda.config.GenerationConfig;
import dev.pagoda.sampling.LogProbs;
import dev.pagoda.sampling.Sampler;
import dev.pagoda.sampling.SamplingParams;

import java.util.SplittableRandom;

/**
 * Time per draw of {@link Sampler} on a Qwen-sized vocabulary (151,936 logits: a Gaussian
 * spread plus a few tokens far ahead, as real rows have), for greedy, temperature alone, and
 * temperature with top-p or top-k; and of {@link LogProbs#logSumExp}, the log-softmax
 * denominator every log-probability needs, and {@link LogProbs#topK}, the top 20 a
 * {@code logprobs} request lists. One thread; four rounds of 100 draws each, the first
 * warming up the JIT. The sum printed after each figure is of the drawn ids: it must not
 * change between builds that claim the same draws.
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -q -o install -DskipTests -pl pagoda-engine
 * java --add-modules jdk.incubator.vector -cp pagoda-engine/target/pagoda-engine-0.1.0-SNAPSHOT.jar bench/harness/SamplerCost.java
 * </pre>
 */
public class SamplerCost {
    public static void main(String[] args) {
        run(); // not in main itself: a loop compiled on stack replacement runs vector code slowly
    }

    static void run() {
        int vocab = 151_936;
        float[] logits = new float[vocab];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < vocab; i++) logits[i] = (float) rnd.nextGaussian() * 2.5f;
        for (int i = 0; i < 30; i++) logits[rnd.nextInt(vocab)] += 12;
        Sampler sampler = new Sampler(vocab);
        String[] names = {"greedy", "t=0.8", "t=0.8 top_p=0.9", "t=0.8 top_k=50"};
        SamplingParams[] params = {
                SamplingParams.builder().temperature(0.0).build(),
                SamplingParams.builder().temperature(0.8).build(),
                SamplingParams.builder().temperature(0.8).topP(0.9).build(),
                SamplingParams.builder().temperature(0.8).topK(50).build(),
        };
        for (int round = 0; round < 4; round++) {
            long lseStart = System.nanoTime();
            double lse = 0;
            for (int k = 0; k < 100; k++) lse += LogProbs.logSumExp(logits, 0, vocab);
            System.out.printf("%-18s %8.1f µs per row (%.6f)%n", "logSumExp", (System.nanoTime() - lseStart) / 1e3 / 100, lse / 100);
            int[] ids = new int[20];
            float[] lps = new float[20];
            long topStart = System.nanoTime(), idSum = 0;
            for (int k = 0; k < 100; k++) {
                LogProbs.topK(logits, 0, vocab, 20, lse / 100, ids, lps);
                idSum += ids[k % 20];
            }
            System.out.printf("%-18s %8.1f µs per row (ids sum %d)%n", "topK 20", (System.nanoTime() - topStart) / 1e3 / 100, idSum);
            for (int j = 0; j < params.length; j++) {
                SamplingParams p = params[j].withDefaults(GenerationConfig.EMPTY);
                SplittableRandom draws = new SplittableRandom(2);
                int reps = 100;
                long sum = 0, start = System.nanoTime();
                for (int k = 0; k < reps; k++) sum += sampler.sample(logits, 0, p, draws);
                System.out.printf("%-18s %8.1f µs per draw (ids sum %d)%n", names[j], (System.nanoTime() - start) / 1e3 / reps, sum);
            }
        }
    }
}
