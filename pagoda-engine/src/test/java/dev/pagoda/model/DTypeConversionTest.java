package dev.pagoda.model;

import dev.pagoda.model.loader.DType;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --dtype converts non-quantized matrices once, off-heap; quantized ones stay as they are. */
class DTypeConversionTest {
    static final int[] PROMPT = {40, 77, 258, 314, 455, 285, 258, 277};

    @Test
    void bf16CheckpointWidenedToF32IsExact() {
        // qwen2's weights are exactly representable in BF16: widening must not change a single logit.
        try (TestModel bf16 = new TestModel(Shared.path("models/fixtures/qwen2/hf"), null, 2, 16, 64, 64);
             TestModel f32 = new TestModel(Shared.path("models/fixtures/qwen2/hf"), DType.F32, 2, 16, 64, 64)) {
            assertEquals(0, bf16.weights.convertedBytes());
            assertTrue(f32.weights.convertedBytes() > 0);
            assertEquals(DType.F32, f32.weights.layer(0).wq().type());
            assertArrayEquals(bf16.allLogits(PROMPT), f32.allLogits(PROMPT));
        }
    }

    @Test
    void f32NarrowedToBf16MatchesTheBf16File() {
        // model-bf16.gguf is the F32 file rounded to BF16 (round-to-nearest-even), matrices only.
        try (TestModel converted = new TestModel(Shared.path("models/fixtures/llama-gqa/gguf/model-f32.gguf"), DType.BF16, 2, 16, 64, 64);
             TestModel file = new TestModel(Shared.path("models/fixtures/llama-gqa/gguf/model-bf16.gguf"), null, 2, 16, 64, 64)) {
            assertArrayEquals(file.allLogits(PROMPT), converted.allLogits(PROMPT));
        }
    }

    @Test
    void quantizedMatricesAreNotConverted() {
        try (TestModel q8 = new TestModel(Shared.path("models/fixtures/qwen3/gguf/model-q8_0.gguf"), DType.F16, 2, 16, 64, 64)) {
            assertEquals(DType.Q8_0, q8.weights.layer(0).wq().type());
        }
    }
}
