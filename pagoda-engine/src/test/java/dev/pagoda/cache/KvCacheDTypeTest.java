package dev.pagoda.cache;

import dev.pagoda.model.BatchInvarianceTest;
import dev.pagoda.model.loader.DType;
import dev.pagoda.sampling.LogProbs;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A BF16 KV cache: still batch-invariant, and close to the F32 cache. */
class KvCacheDTypeTest {
    static final int[] PROMPT = {40, 77, 258, 314, 455, 285, 258, 277, 302, 76, 338, 274, 401, 269, 258, 385, 275, 260, 82, 429};

    @Test
    void bf16CacheIsBatchInvariantAndNearF32() {
        try (TestModel bf16 = new TestModel(Shared.path("models/fixtures/qwen2/hf"), null, 2, 16, 64, 256, DType.BF16);
             TestModel f32 = new TestModel(Shared.path("models/fixtures/qwen2/hf"), null, 2, 16, 64, 256, DType.F32)) {
            float[] whole = bf16.allLogits(PROMPT);
            assertArrayEquals(whole, BatchInvarianceTest.chunked(bf16, PROMPT, 1), "prefill vs token-by-token, BF16 KV");
            assertArrayEquals(whole, BatchInvarianceTest.chunked(bf16, PROMPT, 6), "prefill vs chunks, BF16 KV");
            float[] exact = f32.allLogits(PROMPT);
            double worst = 0;
            for (int row = 0; row < PROMPT.length; row++) {
                int off = row * f32.vocab;
                double lseA = LogProbs.logSumExp(whole, off, f32.vocab), lseB = LogProbs.logSumExp(exact, off, f32.vocab);
                for (int i = 0; i < f32.vocab; i++) worst = Math.max(worst, Math.abs((whole[off + i] - lseA) - (exact[off + i] - lseB)));
            }
            // BF16 keeps 8 mantissa bits: K/V rounding moves these logprobs by a few hundredths, not whole units.
            assertTrue(worst > 0 && worst < 0.1, "max |logprob difference| " + worst);
        }
    }
}
