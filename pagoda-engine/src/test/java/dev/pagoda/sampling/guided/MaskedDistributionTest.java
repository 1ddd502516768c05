package dev.pagoda.sampling.guided;

import dev.pagoda.config.GenerationConfig;
import dev.pagoda.sampling.Sampler;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.testutil.Shared;
import dev.pagoda.testutil.TestModel;
import dev.pagoda.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chi-square: at a fixed grammar state, tokens drawn by the Sampler from the masked logits follow
 * the model's distribution (stories260K's real logits) renormalised over the allowed tokens.
 */
class MaskedDistributionTest {
    static final int DRAWS = 30_000;
    static TestModel model;
    static Tokenizer tokenizer;
    static GrammarCompiler compiler;
    static float[] logits;

    @BeforeAll
    static void open() {
        model = new TestModel(Shared.path("models/stories260K/stories260K.gguf"));
        tokenizer = Tokenizer.load(Shared.path("models/stories260K/stories260K.gguf"));
        compiler = GrammarCompiler.of(tokenizer, model.vocab);
        int[] prompt = tokenizer.encode("Once upon a time, a girl said", true);
        float[] all = model.allLogits(prompt);
        logits = Arrays.copyOfRange(all, (prompt.length - 1) * model.vocab, prompt.length * model.vocab);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Advances through {@code prefix} with byte-fallback tokens (one per byte). */
    static GuidedState at(GuidedSpec spec, String prefix) {
        GuidedState s = compiler.compile(spec).newState();
        for (byte b : prefix.getBytes(StandardCharsets.UTF_8)) s.advance(TokenMaskTest.id(tokenizer, String.format("<0x%02X>", b & 0xFF)));
        return s;
    }

    /** Chi-square statistic and its 99.9% critical value for draws at temperature 1 against the target at {@code targetTemperature}. */
    static double[] statistic(GuidedState state, long seed, double targetTemperature) {
        TokenMask mask = state.allowedTokens();
        int v = model.vocab;
        float[] masked = logits.clone();
        mask.apply(masked, 0);
        // Exact target: softmax of the raw logits over the allowed tokens only.
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) if (mask.isAllowed(i)) max = Math.max(max, logits[i]);
        double[] p = new double[v];
        double z = 0;
        for (int i = 0; i < v; i++) if (mask.isAllowed(i)) z += p[i] = Math.exp((logits[i] - max) / targetTemperature);
        for (int i = 0; i < v; i++) p[i] /= z;

        Sampler sampler = new Sampler(v);
        SamplingParams t1 = SamplingParams.builder().temperature(1.0).build().withDefaults(GenerationConfig.EMPTY);
        SplittableRandom rng = new SplittableRandom(seed);
        int[] counts = new int[v];
        for (int d = 0; d < DRAWS; d++) {
            int id = sampler.sample(masked, 0, t1, rng);
            assertTrue(mask.isAllowed(id), "drew disallowed token " + id);
            counts[id]++;
        }
        // Bins of expected count >= 5; the rest pooled into one bin.
        double chi2 = 0;
        int bins = 0;
        double pooledExpected = 0;
        int pooledObserved = 0;
        for (int i = 0; i < v; i++) {
            if (p[i] == 0) continue;
            double e = p[i] * DRAWS;
            if (e < 5) {
                pooledExpected += e;
                pooledObserved += counts[i];
                continue;
            }
            chi2 += (counts[i] - e) * (counts[i] - e) / e;
            bins++;
        }
        if (pooledExpected > 0) {
            chi2 += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected;
            bins++;
        }
        int dof = bins - 1;
        assertTrue(dof >= 3, "too few bins for a meaningful test: " + bins);
        // 99.9% quantile of chi-square(dof), Wilson-Hilferty approximation.
        double k = 2.0 / (9 * dof);
        return new double[]{chi2, dof * Math.pow(1 - k + 3.0902 * Math.sqrt(k), 3), dof};
    }

    static void assertRenormalised(GuidedState state, long seed) {
        double[] r = statistic(state, seed, 1.0);
        assertTrue(r[0] < r[1], "chi-square " + r[0] + " >= " + r[1] + " with " + r[2] + " dof");
    }

    @Test
    void insideAJsonStringTheDistributionIsTheModelsRenormalised() {
        GuidedState s = at(new GuidedSpec.JsonSchema("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":8}},\"required\":[\"name\"]}"),
                "{\"name\":\"");
        assertTrue(s.allowedTokens().count() > 300, "most of the vocabulary fits in a string");
        assertRenormalised(s, 1);
    }

    @Test
    void atAChoiceTheDistributionIsTheModelsRenormalised() {
        GuidedState s = at(new GuidedSpec.Choice(List.of("once upon", "there was", "the end", "she said")), "");
        assertTrue(s.allowedTokens().count() < 40);
        assertRenormalised(s, 2);
    }

    @Test
    void aWrongTargetIsRejected() {
        // The test can fail: the same draws against the allowed tokens at temperature 0.7 are far off.
        GuidedState s = at(new GuidedSpec.Choice(List.of("once upon", "there was", "the end", "she said")), "");
        double[] r = statistic(s, 2, 0.7);
        assertTrue(r[0] > r[1], "chi-square " + r[0] + " should exceed " + r[1]);
    }
}
