package dev.pagoda.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.sampling.LogProbs;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import org.junit.jupiter.api.Test;

import static dev.pagoda.model.FixtureReferenceTest.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled stories260K model against llama.cpp: greedy tokens up to the first near-tie
 * (top1 − top2 below 1e-3), and teacher-forced top-5 log-probabilities within 1e-3 at all 48
 * positions of every case.
 */
class BundledModelReferenceTest {
    static final double TOLERANCE = 1e-3;

    @Test
    void matchesLlamaCpp() {
        JsonNode ref = Shared.json("reference/stories260K-llamacpp.json");
        try (TestModel m = new TestModel(Shared.path("models/stories260K/stories260K.gguf"), null, 2, 16, 64, 512)) {
            for (JsonNode c : ref.path("cases")) {
                String id = c.path("id").asText();
                int[] prompt = ints(c.path("prompt_token_ids"));
                int[] expected = ints(c.path("completion_token_ids"));
                JsonNode gaps = c.path("top1_minus_top2_logprob");
                int firstTie = expected.length;
                for (int i = 0; i < gaps.size(); i++) if (gaps.get(i).asDouble() < 1e-3) { firstTie = i; break; }
                int[] got = m.greedy(prompt, expected.length);
                for (int i = 0; i < firstTie; i++) assertEquals(expected[i], got[i], id + ": greedy token " + i);

                float[] logits = m.allLogits(TestModel.concat(prompt, expected));
                JsonNode top5 = c.path("top5_all");
                for (int pos = 0; pos < expected.length; pos++) {
                    int row = (prompt.length - 1 + pos) * m.vocab;
                    double lse = LogProbs.logSumExp(logits, row, m.vocab);
                    int[] ids = new int[5];
                    float[] lps = new float[5];
                    LogProbs.topK(logits, row, m.vocab, 5, lse, ids, lps);
                    for (int j = 0; j < 5; j++) {
                        JsonNode want = top5.get(pos).get(j);
                        assertEquals(want.get(0).asInt(), ids[j], id + " pos " + pos + ": top-5 rank " + j);
                        double lp = want.get(1).asDouble();
                        assertTrue(Math.abs(lps[j] - lp) <= TOLERANCE, id + " pos " + pos + " rank " + j + ": " + lps[j] + " vs " + lp);
                    }
                }
            }
        }
    }
}
