package dev.pagoda.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.sampling.LogProbs;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fixture, every GGUF weight format, every prompt: greedy tokens match llama.cpp up to the
 * first near-tie, and teacher-forced top-5 log-probabilities are within 2e-4 of the independent
 * float64 forward pass on the same weights (our activations are F32 for every format).
 */
class FixtureReferenceTest {
    static final List<String> FIXTURES = List.of("llama-gqa", "llama3-ropescaled", "mistral", "qwen2", "qwen3");
    static final List<String> DTYPES = List.of("f32", "f16", "bf16", "q8_0", "q4_0");
    static final double TOLERANCE = 2e-4;

    @TestFactory
    List<DynamicTest> ggufFilesMatchReferences() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String fixture : FIXTURES) {
            JsonNode ref = Shared.json("reference/fixtures/" + fixture + ".json");
            for (String dtype : DTYPES) {
                Path file = Shared.path("models/fixtures/" + fixture + "/gguf/model-" + dtype + ".gguf");
                tests.add(DynamicTest.dynamicTest(fixture + " " + dtype, () -> check(file, ref, ref.path("results").path(dtype))));
            }
            tests.add(DynamicTest.dynamicTest(fixture + " hf", () ->
                    check(Shared.path("models/fixtures/" + fixture + "/hf"), ref, ref.path("results").path("f32"))));
        }
        return tests;
    }

    static void check(Path model, JsonNode ref, JsonNode results) {
        try (TestModel m = new TestModel(model)) {
            ref.path("prompts").fields().forEachRemaining(e -> {
                String promptId = e.getKey();
                int[] prompt = ints(e.getValue().path("prompt_token_ids"));
                JsonNode r = results.path(promptId);
                int[] expected = ints(r.path("completion_token_ids"));
                int firstTie = r.path("near_tie_positions").isEmpty() ? expected.length : r.path("near_tie_positions").get(0).asInt();
                int[] got = m.greedy(prompt, expected.length);
                for (int i = 0; i < firstTie; i++) {
                    assertEquals(expected[i], got[i], model + " " + promptId + ": greedy token " + i);
                }
                float[] logits = m.allLogits(TestModel.concat(prompt, expected));
                JsonNode top5 = r.path("float64_same_weights").path("top5");
                for (int pos = 0; pos < expected.length; pos++) {
                    int row = (prompt.length - 1 + pos) * m.vocab;
                    double lse = LogProbs.logSumExp(logits, row, m.vocab);
                    JsonNode want = top5.get(pos);
                    int[] ids = new int[5];
                    float[] lps = new float[5];
                    LogProbs.topK(logits, row, m.vocab, 5, lse, ids, lps);
                    for (int j = 0; j < 5; j++) {
                        int id = want.get(j).get(0).asInt();
                        double lp = want.get(j).get(1).asDouble();
                        double ours = logits[row + id] - lse;
                        assertTrue(Math.abs(ours - lp) <= TOLERANCE, model + " " + promptId + " pos " + pos + " token " + id
                                + ": logprob " + ours + " vs float64 " + lp);
                    }
                }
            });
        }
    }

    static int[] ints(JsonNode array) {
        int[] r = new int[array.size()];
        for (int i = 0; i < r.length; i++) r[i] = array.get(i).asInt();
        return r;
    }
}
