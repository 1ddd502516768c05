package dev.pagoda.sampling;

import dev.pagoda.config.GenerationConfig;

import java.util.List;
import java.util.Objects;

/**
 * How to sample a request's output, with vLLM's names and semantics. Null fields are unset: they
 * take the model's generation_config.json value, else vLLM's default, when the engine accepts the
 * request ({@link #withDefaults}).
 *
 * @param n            output sequences per prompt
 * @param temperature  0 means greedy
 * @param topP         in (0, 1]
 * @param topK         -1 or 0 disables
 * @param minP         in [0, 1]; 0 disables
 * @param seed         per-request seed; null draws one at random
 * @param maxTokens    output tokens at most (vLLM's default 16)
 * @param stopTokenIds extra token ids that end a sequence (kept in token_ids, not in text)
 * @param ignoreEos    keep generating past EOS
 * @param logprobs     how many top log-probabilities to return per generated token (null: none)
 */
public record SamplingParams(int n, Double temperature, Double topP, Integer topK, Double minP, Long seed,
                             Integer maxTokens, List<Integer> stopTokenIds, boolean ignoreEos, Integer logprobs) {
    /** Below this temperature sampling is greedy (vLLM's _SAMPLING_EPS). */
    public static final double GREEDY_EPS = 1e-5;

    public SamplingParams {
        stopTokenIds = stopTokenIds == null ? List.of() : List.copyOf(stopTokenIds);
        if (seed != null && seed == -1) seed = null; // vLLM treats seed=-1 as unset
    }

    public static Builder builder() {
        return new Builder();
    }

    /** vLLM's defaults for everything: random sampling at temperature 1, 16 tokens. */
    public static SamplingParams defaults() {
        return builder().build();
    }

    /** Fills unset fields from the model's generation config, then vLLM's built-in defaults; validates. */
    public SamplingParams withDefaults(GenerationConfig g) {
        SamplingParams p = new SamplingParams(n,
                first(temperature, g.temperature(), 1.0),
                first(topP, g.topP(), 1.0),
                first(topK, g.topK(), 0),
                first(minP, g.minP(), 0.0),
                seed,
                first(maxTokens, null, 16),
                stopTokenIds, ignoreEos, logprobs);
        p.validate();
        return p;
    }

    public boolean greedy() {
        return temperature != null && temperature < GREEDY_EPS;
    }

    /** Checks ranges with vLLM's messages; throws IllegalArgumentException naming the field. */
    public void validate() {
        if (n < 1) throw new IllegalArgumentException("n must be at least 1, got " + n + ".");
        if (temperature != null && (temperature < 0 || !Double.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature must be non-negative, got " + temperature + ".");
        }
        if (topP != null && !(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top_p must be in (0, 1], got " + topP + ".");
        if (topK != null && topK < -1) {
            throw new IllegalArgumentException("top_k must be 0 (disable), or at least 1, got " + topK + ".");
        }
        if (minP != null && !(minP >= 0 && minP <= 1)) throw new IllegalArgumentException("min_p must be in [0, 1], got " + minP + ".");
        if (maxTokens != null && maxTokens < 1) throw new IllegalArgumentException("max_tokens must be at least 1, got " + maxTokens + ".");
        if (logprobs != null && logprobs < 0) throw new IllegalArgumentException("logprobs must be non-negative, got " + logprobs + ".");
        if (greedy() && n > 1) throw new IllegalArgumentException("n must be 1 when using greedy sampling, got " + n + ".");
    }

    private static <T> T first(T a, T b, T c) {
        return a != null ? a : b != null ? b : Objects.requireNonNull(c);
    }

    /** Fluent construction; unset fields stay null until {@link #withDefaults}. */
    public static final class Builder {
        private int n = 1;
        private Double temperature;
        private Double topP;
        private Integer topK;
        private Double minP;
        private Long seed;
        private Integer maxTokens;
        private List<Integer> stopTokenIds = List.of();
        private boolean ignoreEos;
        private Integer logprobs;

        public Builder n(int v) { n = v; return this; }
        public Builder temperature(Double v) { temperature = v; return this; }
        public Builder topP(Double v) { topP = v; return this; }
        public Builder topK(Integer v) { topK = v; return this; }
        public Builder minP(Double v) { minP = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder maxTokens(Integer v) { maxTokens = v; return this; }
        public Builder stopTokenIds(List<Integer> v) { stopTokenIds = v; return this; }
        public Builder ignoreEos(boolean v) { ignoreEos = v; return this; }
        public Builder logprobs(Integer v) { logprobs = v; return this; }

        public SamplingParams build() {
            SamplingParams p = new SamplingParams(n, temperature, topP, topK, minP, seed, maxTokens, stopTokenIds, ignoreEos, logprobs);
            p.validate();
            return p;
        }
    }
}
