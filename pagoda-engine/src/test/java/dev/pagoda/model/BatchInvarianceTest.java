package dev.pagoda.model;

import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.synthetic.ModelShape;
import dev.pagoda.model.synthetic.SyntheticModel;
import dev.pagoda.model.synthetic.TokenizerFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * DESIGN rule 2: a sequence's logits are bitwise the same run alone, together with other
 * sequences in one batch, fed whole or in chunks, or token by token as in decode — whatever the
 * thread count.
 */
public class BatchInvarianceTest {
    static final int BLOCK = 16;

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K/stories260K.gguf", "models/fixtures/qwen3/hf",
            "models/fixtures/qwen2/gguf/model-q4_0.gguf", "models/fixtures/qwen2/gguf/model-q8_0.gguf",
            "models/fixtures/llama3-ropescaled/gguf/model-bf16.gguf"})
    void logitsDoNotDependOnTheBatch(String model) {
        assertInvariant(Shared.path(model));
    }

    /** A small synthetic model with a real shape family and the real Qwen3 tokenizer's vocabulary (BF16). */
    @Test
    void syntheticModel(@TempDir Path dir) throws Exception {
        new SyntheticModel(ModelShape.like("qwen3-0.6b").withLayers(2).withHidden(128), DType.BF16, 3, 0)
                .write(TokenizerFiles.read(Shared.path("tokenizers/qwen3")), dir);
        assertInvariant(dir);
    }

    static void assertInvariant(Path model) {
        SplittableRandom rnd = new SplittableRandom(7);
        try (TestModel m = new TestModel(model, null, 2, BLOCK, 64, 256);
             TestModel single = new TestModel(model, null, 1, BLOCK, 64, 256)) {
            int[] a = randomTokens(rnd, 37, m.vocab), b = randomTokens(rnd, 5, m.vocab), c = randomTokens(rnd, 20, m.vocab);
            float[] alone = m.allLogits(a);
            assertArrayEquals(alone, single.allLogits(a), "1 thread vs 2 threads");

            // a, b and c in one batch, each with its own blocks; all logits rows requested.
            int[][] tables = {range(0, 3), range(3, 4), range(4, 6)};
            float[] together = runBatch(m, List.of(a, b, c), tables);
            assertArrayEquals(alone, Arrays.copyOfRange(together, 0, a.length * m.vocab), "alone vs batched with others");

            assertArrayEquals(alone, chunked(m, a, 7), "whole prompt vs chunks of 7");
            assertArrayEquals(alone, chunked(m, a, 1), "whole prompt vs token-by-token decode");
        }
    }

    /** Feeds {@code tokens} in chunks of {@code size}, collecting the logits after every token. */
    public static float[] chunked(TestModel m, int[] tokens, int size) {
        float[] all = new float[tokens.length * m.vocab];
        int[] table = range(10, 14);
        for (int start = 0; start < tokens.length; start += size) {
            int n = Math.min(size, tokens.length - start);
            float[] out = new float[n * m.vocab];
            int s0 = start;
            m.decoder.forward(new ForwardBatch(n, Arrays.copyOfRange(tokens, start, start + n),
                    IntStream.range(0, n).map(i -> s0 + i).toArray(), new int[n], new int[][]{table},
                    IntStream.range(0, n).toArray()), m.cache, out);
            System.arraycopy(out, 0, all, start * m.vocab, out.length);
        }
        return all;
    }

    public static float[] runBatch(TestModel m, List<int[]> seqs, int[][] tables) {
        List<Integer> ids = new ArrayList<>(), pos = new ArrayList<>(), seqOf = new ArrayList<>();
        for (int s = 0; s < seqs.size(); s++) {
            for (int i = 0; i < seqs.get(s).length; i++) {
                ids.add(seqs.get(s)[i]);
                pos.add(i);
                seqOf.add(s);
            }
        }
        int n = ids.size();
        float[] out = new float[n * m.vocab];
        m.decoder.forward(new ForwardBatch(n, toArray(ids), toArray(pos), toArray(seqOf), tables,
                IntStream.range(0, n).toArray()), m.cache, out);
        return out;
    }

    static int[] randomTokens(SplittableRandom rnd, int n, int vocab) {
        return IntStream.range(0, n).map(i -> rnd.nextInt(3, vocab)).toArray();
    }

    static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }
}
