package dev.pagoda.testutil;

import dev.pagoda.cache.KvCache;
import dev.pagoda.kernel.VectorMath;
import dev.pagoda.kernel.WorkerPool;
import dev.pagoda.model.Decoder;
import dev.pagoda.model.ForwardBatch;
import dev.pagoda.model.ModelWeights;
import dev.pagoda.model.loader.Checkpoint;
import dev.pagoda.model.loader.DType;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A model opened for direct forward passes in tests: one sequence per call, blocks assigned
 * 0, 1, 2, ... in order (tests that need sharing build their own batches).
 */
public final class TestModel implements AutoCloseable {
    public final Checkpoint checkpoint;
    public final ModelWeights weights;
    public final WorkerPool pool;
    public final Decoder decoder;
    public final KvCache cache;
    public final int vocab;

    public TestModel(Path path, DType dtype, int threads, int blockSize, int numBlocks, int maxTokens) {
        this(path, dtype, threads, blockSize, numBlocks, maxTokens, DType.F32);
    }

    public TestModel(Path path, DType dtype, int threads, int blockSize, int numBlocks, int maxTokens, DType kvDtype) {
        checkpoint = Checkpoint.open(path);
        weights = ModelWeights.bind(checkpoint, dtype);
        pool = new WorkerPool(threads);
        decoder = new Decoder(checkpoint.config(), weights, pool, maxTokens, maxTokens, blockSize);
        cache = new KvCache(checkpoint.config(), numBlocks, blockSize, kvDtype);
        vocab = checkpoint.config().vocabSize();
    }

    public TestModel(Path path) {
        this(path, null, 2, 16, 64, 256);
    }

    /** Logits after every token of {@code tokens} (one prefill pass), row i at i * vocab. */
    public float[] allLogits(int[] tokens) {
        int n = tokens.length;
        int[] table = IntStream.range(0, cache.numBlocks()).toArray();
        float[] logits = new float[n * vocab];
        decoder.forward(new ForwardBatch(n, tokens, IntStream.range(0, n).toArray(), new int[n], new int[][]{table},
                IntStream.range(0, n).toArray()), cache, logits);
        return logits;
    }

    /** Greedy decoding of {@code count} tokens: prefill, then one token per step. */
    public int[] greedy(int[] prompt, int count) {
        int[] table = IntStream.range(0, cache.numBlocks()).toArray();
        int n = prompt.length;
        float[] logits = new float[vocab];
        decoder.forward(new ForwardBatch(n, prompt, IntStream.range(0, n).toArray(), new int[n], new int[][]{table},
                new int[]{n - 1}), cache, logits);
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = VectorMath.argmax(logits, 0, vocab);
            if (i + 1 == count) break;
            decoder.forward(new ForwardBatch(1, new int[]{out[i]}, new int[]{n + i}, new int[1], new int[][]{table},
                    new int[]{0}), cache, logits);
        }
        return out;
    }

    public static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Override
    public void close() {
        pool.close();
        cache.close();
        weights.close();
        checkpoint.close();
    }
}
