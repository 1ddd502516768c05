package dev.pagoda.sampling;

import dev.pagoda.config.GenerationConfig;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplingParamsTest {
    static final GenerationConfig MODEL = new GenerationConfig(Set.of(2), 0.7, 20, 0.8, null, 1.05);

    @Test
    void unsetFieldsComeFromTheGenerationConfigThenVllmDefaults() {
        SamplingParams p = SamplingParams.builder().build().withDefaults(MODEL);
        assertEquals(0.7, p.temperature());
        assertEquals(20, p.topK());
        assertEquals(0.8, p.topP());
        assertEquals(0.0, p.minP(), "vLLM's default where the model is silent");
        assertEquals(16, p.maxTokens(), "vLLM's default max_tokens");
        SamplingParams none = SamplingParams.builder().build().withDefaults(GenerationConfig.EMPTY);
        assertEquals(1.0, none.temperature());
        assertEquals(1.0, none.topP());
        assertEquals(0, none.topK());
    }

    @Test
    void requestFieldsWin() {
        SamplingParams p = SamplingParams.builder().temperature(0.0).topP(1.0).maxTokens(5).build().withDefaults(MODEL);
        assertEquals(0.0, p.temperature());
        assertEquals(1.0, p.topP());
        assertEquals(5, p.maxTokens());
        assertTrue(p.greedy());
    }

    @Test
    void seedMinusOneIsUnset() {
        assertEquals(null, SamplingParams.builder().seed(-1L).build().seed());
    }

    @Test
    void rangesUseVllmMessages() {
        assertEquals("top_p must be in (0, 1], got 1.5.",
                assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topP(1.5).build()).getMessage());
        assertEquals("top_k must be 0 (disable), or at least 1, got -2.",
                assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().topK(-2).build()).getMessage());
        assertEquals("min_p must be in [0, 1], got 2.0.",
                assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().minP(2.0).build()).getMessage());
        assertEquals("max_tokens must be at least 1, got 0.",
                assertThrows(IllegalArgumentException.class, () -> SamplingParams.builder().maxTokens(0).build()).getMessage());
    }
}
