package dev.pagoda.model;

import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same weights in two containers give the same model: each fixture's HF directory and its
 * F32 GGUF (q/k rows permuted, adjacent-pair RoPE for llama); qwen2's sharded checkpoint and BF16
 * GGUF too. Identical greedy output, logits within 1e-5.
 */
class TwinFormatsTest {
    @ParameterizedTest
    @CsvSource({
            "models/fixtures/llama-gqa/hf, models/fixtures/llama-gqa/gguf/model-f32.gguf",
            "models/fixtures/llama3-ropescaled/hf, models/fixtures/llama3-ropescaled/gguf/model-f32.gguf",
            "models/fixtures/mistral/hf, models/fixtures/mistral/gguf/model-f32.gguf",
            "models/fixtures/qwen2/hf, models/fixtures/qwen2/gguf/model-f32.gguf",
            "models/fixtures/qwen3/hf, models/fixtures/qwen3/gguf/model-f32.gguf",
            "models/fixtures/qwen2/hf, models/fixtures/qwen2/hf-sharded",
            "models/fixtures/qwen2/hf, models/fixtures/qwen2/gguf/model-bf16.gguf"})
    void twinsAgree(String a, String b) {
        int[] prompt = {40, 77, 258, 314, 455, 285, 258, 277, 302, 76, 338};
        try (TestModel ma = new TestModel(Shared.path(a)); TestModel mb = new TestModel(Shared.path(b))) {
            assertArrayEquals(ma.greedy(prompt, 24), mb.greedy(prompt, 24), "greedy tokens");
            float[] la = ma.allLogits(prompt), lb = mb.allLogits(prompt);
            double worst = 0;
            for (int i = 0; i < la.length; i++) worst = Math.max(worst, Math.abs(la[i] - lb[i]));
            assertTrue(worst <= 1e-5, "max |logit difference| " + worst);
        }
    }
}
