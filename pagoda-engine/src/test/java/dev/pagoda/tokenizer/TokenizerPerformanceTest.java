package dev.pagoda.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Load and encode speed on the largest vocabulary (Qwen3: 151k tokens, 151k merges). Prints the figures. */
class TokenizerPerformanceTest {
    @Test
    void loadsAndEncodesQuickly() {
        long t0 = System.nanoTime();
        Tokenizer tokenizer = Tokenizer.fromHfDirectory(Shared.tokenizerDir("qwen3"));
        long loadMs = (System.nanoTime() - t0) / 1_000_000;

        StringBuilder corpus = new StringBuilder();
        for (JsonNode c : Shared.referenceCases("qwen3")) corpus.append(c.path("text").asText()).append('\n');
        String text = corpus.toString().repeat(20);
        tokenizer.encode(text, false); // warm-up
        long t1 = System.nanoTime();
        int tokens = 0;
        for (int i = 0; i < 5; i++) tokens += tokenizer.encode(text + i, false).length;
        double seconds = (System.nanoTime() - t1) / 1e9;
        System.out.printf("qwen3: load %d ms; encode %.0f tokens/s (%.1f MB/s)%n", loadMs, tokens / seconds,
                5.0 * text.length() / seconds / 1e6);
        // Loose bound: the machine is shared; this guards against order-of-magnitude regressions only.
        assertTrue(loadMs < 10_000, "loading took " + loadMs + " ms");
    }
}
