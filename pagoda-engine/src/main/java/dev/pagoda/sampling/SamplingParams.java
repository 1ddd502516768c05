package dev.pagoda.sampling;

import dev.pagoda.config.GenerationConfig;
import dev.pagoda.sampling.guided.GuidedSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to sample a request's output, with vLLM's names and semantics. Null fields are unset: they
 * take the model's generation_config.json value, else vLLM's default, when the engine accepts the
 * request ({@link #withDefaults}).
 *
 * @param n                  output sequences returned per prompt
 * @param bestOf             candidates generated (≥ n; null: n); the n with the highest cumulative
 *                           log-probability (beam search: score) are returned
 * @param temperature        0 means greedy
 * @param topP               in (0, 1]
 * @param topK               -1 or 0 disables
 * @param minP               in [0, 1]; 0 disables
 * @param seed               per-request seed; null draws one at random
 * @param maxTokens          output tokens at most (vLLM's default 16)
 * @param minTokens          EOS and stop tokens are banned, and stop strings not checked, before this many output tokens
 * @param stop               stop strings: the output is cut before the match (after it with includeStopStrInOutput)
 * @param stopTokenIds       extra token ids that end a sequence (kept in token_ids, not in text)
 * @param ignoreEos          keep generating past EOS
 * @param logprobs           how many top log-probabilities to return per generated token (null: none)
 * @param promptLogprobs     how many top log-probabilities to return per prompt token (null: none)
 * @param presencePenalty    in [-2, 2]: subtracted from the logit of every token the output already has
 * @param frequencyPenalty   in [-2, 2]: subtracted once per occurrence in the output
 * @param repetitionPenalty  > 0: divides positive and multiplies negative logits of tokens in prompt or output
 * @param logitBias          token id → bias added to its logit, clamped to [-100, 100]
 * @param allowedTokenIds    only these tokens may be sampled (null: all)
 * @param badWords           words whose token sequences may not be completed
 * @param skipSpecialTokens  leave special tokens out of the text
 * @param spacesBetweenSpecialTokens accepted as vLLM does with tokenizer.json tokenizers, where it has no effect
 * @param truncatePromptTokens keep only the last k prompt tokens (-1: the last max_model_len); null keeps all
 * @param useBeamSearch      beam search with bestOf beams (temperature 0, top_p 1, top_k off)
 * @param lengthPenalty      beam score = cumulative logprob / length^lengthPenalty
 * @param earlyStopping      when beam search stops before every beam has ended
 * @param guided             a structured-output constraint (JSON Schema, regex, choice), or null
 */
public record SamplingParams(int n, Integer bestOf, Double temperature, Double topP, Integer topK, Double minP, Long seed,
                             Integer maxTokens, int minTokens, List<String> stop, List<Integer> stopTokenIds,
                             boolean includeStopStrInOutput, boolean ignoreEos, Integer logprobs, Integer promptLogprobs,
                             double presencePenalty, double frequencyPenalty, Double repetitionPenalty,
                             Map<Integer, Double> logitBias, List<Integer> allowedTokenIds, List<String> badWords,
                             boolean skipSpecialTokens, boolean spacesBetweenSpecialTokens, Integer truncatePromptTokens,
                             boolean useBeamSearch, double lengthPenalty, EarlyStopping earlyStopping, GuidedSpec guided) {
    /** Below this temperature sampling is greedy (vLLM's _SAMPLING_EPS). */
    public static final double GREEDY_EPS = 1e-5;
    /** vLLM clamps logit_bias values to this magnitude. */
    public static final double MAX_LOGIT_BIAS = 100;

    /** Beam search's stopping rule (vLLM's {@code early_stopping}: true, false or "never"). */
    public enum EarlyStopping {
        /** Stop as soon as best_of beams have finished. */
        TRUE,
        /** Stop when no running beam can still beat the worst finished one at its current length (a heuristic). */
        FALSE,
        /** Stop only when no running beam can beat the worst finished one at any length it may reach. */
        NEVER
    }

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
        stopTokenIds = stopTokenIds == null ? List.of() : List.copyOf(stopTokenIds);
        badWords = badWords == null ? List.of() : List.copyOf(badWords);
        allowedTokenIds = allowedTokenIds == null ? null : List.copyOf(allowedTokenIds);
        earlyStopping = earlyStopping == null ? EarlyStopping.FALSE : earlyStopping;
        if (logitBias == null || logitBias.isEmpty()) {
            logitBias = Map.of();
        } else {
            Map<Integer, Double> clamped = new LinkedHashMap<>();
            logitBias.forEach((k, v) -> clamped.put(k, Math.clamp(v, -MAX_LOGIT_BIAS, MAX_LOGIT_BIAS)));
            logitBias = java.util.Collections.unmodifiableMap(clamped);
        }
        if (seed != null && seed == -1) seed = null; // vLLM treats seed=-1 as unset
    }

    public static Builder builder() {
        return new Builder();
    }

    /** vLLM's defaults for everything: random sampling at temperature 1, 16 tokens. */
    public static SamplingParams defaults() {
        return builder().build();
    }

    /**
     * Fills unset fields from the model's generation config, then vLLM's built-in defaults;
     * validates. Beam search ignores the model's sampling defaults: unset fields take the only
     * values it allows (temperature 0, top_p 1, top_k off).
     */
    public SamplingParams withDefaults(GenerationConfig g) {
        GenerationConfig d = useBeamSearch ? GenerationConfig.EMPTY : g;
        SamplingParams p = new SamplingParams(n, bestOf,
                first(temperature, d.temperature(), useBeamSearch ? 0.0 : 1.0),
                first(topP, d.topP(), 1.0),
                first(topK, d.topK(), 0),
                first(minP, d.minP(), 0.0),
                seed,
                first(maxTokens, null, 16),
                minTokens, stop, stopTokenIds, includeStopStrInOutput, ignoreEos, logprobs, promptLogprobs,
                presencePenalty, frequencyPenalty, first(repetitionPenalty, d.repetitionPenalty(), 1.0),
                logitBias, allowedTokenIds, badWords, skipSpecialTokens, spacesBetweenSpecialTokens, truncatePromptTokens,
                useBeamSearch, lengthPenalty, earlyStopping, guided);
        p.validate();
        return p;
    }

    public boolean greedy() {
        return temperature != null && temperature < GREEDY_EPS;
    }

    /** Sequences generated: best_of, else n. */
    public int width() {
        return bestOf != null ? bestOf : n;
    }

    /** Whether the returned sequences are chosen among more candidates (best_of > n, or beam search). */
    public boolean selectsCandidates() {
        return useBeamSearch || width() > n;
    }

    /** Checks ranges with vLLM's messages; throws {@link InvalidParameterException} naming the field. */
    public void validate() {
        if (n < 1) throw invalid("n", "n must be at least 1, got " + n + ".");
        if (bestOf != null && bestOf < n) {
            throw invalid("best_of", "best_of must be greater than or equal to n, got n=" + n + " and best_of=" + bestOf + ".");
        }
        if (temperature != null && (temperature < 0 || !Double.isFinite(temperature))) {
            throw invalid("temperature", "temperature must be non-negative, got " + temperature + ".");
        }
        if (topP != null && !(topP > 0 && topP <= 1)) throw invalid("top_p", "top_p must be in (0, 1], got " + topP + ".");
        if (topK != null && topK < -1) throw invalid("top_k", "top_k must be 0 (disable), or at least 1, got " + topK + ".");
        if (minP != null && !(minP >= 0 && minP <= 1)) throw invalid("min_p", "min_p must be in [0, 1], got " + minP + ".");
        checkPenalty("presence_penalty", presencePenalty);
        checkPenalty("frequency_penalty", frequencyPenalty);
        if (repetitionPenalty != null && !(repetitionPenalty > 0 && Double.isFinite(repetitionPenalty))) {
            throw invalid("repetition_penalty", "repetition_penalty must be greater than zero, got " + repetitionPenalty + ".");
        }
        if (maxTokens != null && maxTokens < 1) throw invalid("max_tokens", "max_tokens must be at least 1, got " + maxTokens + ".");
        if (minTokens < 0) throw invalid("min_tokens", "min_tokens must be greater than or equal to 0, got " + minTokens + ".");
        if (maxTokens != null && minTokens > maxTokens) {
            throw invalid("min_tokens", "min_tokens must be less than or equal to max_tokens=" + maxTokens + ", got " + minTokens + ".");
        }
        if (logprobs != null && logprobs < 0) throw invalid("logprobs", "logprobs must be non-negative, got " + logprobs + ".");
        if (promptLogprobs != null && promptLogprobs < 0) {
            throw invalid("prompt_logprobs", "prompt_logprobs must be non-negative, got " + promptLogprobs + ".");
        }
        if (stop.contains("")) throw invalid("stop", "stop cannot contain an empty string.");
        if (allowedTokenIds != null && allowedTokenIds.isEmpty()) throw invalid("allowed_token_ids", "allowed_token_ids is not None and empty!");
        if (truncatePromptTokens != null && (truncatePromptTokens == 0 || truncatePromptTokens < -1)) {
            throw invalid("truncate_prompt_tokens", "truncate_prompt_tokens must be an integer >= 1 or -1, got " + truncatePromptTokens + ".");
        }
        for (double b : logitBias.values()) {
            if (Double.isNaN(b)) throw invalid("logit_bias", "logit_bias values must be numbers, got NaN.");
        }
        if (useBeamSearch) validateBeamSearch();
        else validateSampling();
        if (guided != null) validateGuided();
    }

    /**
     * Guided decoding ends a sequence with EOS in an accepting state; combinations that would
     * forbid that EOS, or that rank beams the grammar cannot follow, are refused.
     */
    private void validateGuided() {
        if (useBeamSearch) throw invalid("use_beam_search", "structured output cannot be combined with beam search.");
        if (ignoreEos) throw invalid("ignore_eos", "structured output cannot be combined with ignore_eos: the output ends with EOS.");
        if (minTokens > 0) throw invalid("min_tokens", "structured output cannot be combined with min_tokens > 0.");
    }

    private void validateBeamSearch() {
        if (width() == 1) {
            String field = bestOf != null ? "best_of" : "n";
            throw invalid(field, field + " must be greater than 1 when using beam search, got 1.");
        }
        if (temperature != null && temperature > GREEDY_EPS) throw invalid("temperature", "temperature must be 0 when using beam search.");
        if (topP != null && topP < 1.0 - GREEDY_EPS) throw invalid("top_p", "top_p must be 1 when using beam search.");
        // vLLM's rule is top_k == -1; 0 means the same ("off") here and is what unset top_k resolves to.
        if (topK != null && topK > 0) throw invalid("top_k", "top_k must be -1 when using beam search.");
        if (minP != null && minP > 0) throw invalid("min_p", "min_p must be 0 when using beam search.");
    }

    private void validateSampling() {
        if (earlyStopping != EarlyStopping.FALSE) {
            throw invalid("early_stopping", "early_stopping is not effective and must be False when not using beam search.");
        }
        if (Math.abs(lengthPenalty - 1.0) > GREEDY_EPS) {
            throw invalid("length_penalty", "length_penalty is not effective and must be the default value of 1.0 when not using beam search.");
        }
        if (greedy() && n > 1) throw invalid("n", "n must be 1 when using greedy sampling, got " + n + ".");
        if (greedy() && width() > 1) throw invalid("best_of", "best_of must be 1 when using greedy sampling, got " + width() + ".");
    }

    private static void checkPenalty(String name, double v) {
        if (!(v >= -2 && v <= 2)) throw invalid(name, name + " must be in [-2, 2], got " + v + ".");
    }

    private static InvalidParameterException invalid(String field, String message) {
        return new InvalidParameterException(field, message);
    }

    private static <T> T first(T a, T b, T c) {
        return a != null ? a : b != null ? b : Objects.requireNonNull(c);
    }

    /**
     * The prompt as the request asks for it: its last {@code truncatePromptTokens} tokens (-1:
     * the last {@code maxModelLen}), or the whole prompt.
     */
    public int[] truncatePrompt(int[] promptTokenIds, int maxModelLen) {
        if (truncatePromptTokens == null) return promptTokenIds;
        int keep = truncatePromptTokens == -1 ? maxModelLen : truncatePromptTokens;
        if (keep > maxModelLen) {
            throw invalid("truncate_prompt_tokens", "truncate_prompt_tokens value (" + keep + ") is greater than max_model_len ("
                    + maxModelLen + "). Please, select a smaller truncation size.");
        }
        if (keep >= promptTokenIds.length) return promptTokenIds;
        return java.util.Arrays.copyOfRange(promptTokenIds, promptTokenIds.length - keep, promptTokenIds.length);
    }

    /** Fluent construction; unset fields stay null until {@link #withDefaults}. */
    public static final class Builder {
        private int n = 1;
        private Integer bestOf;
        private Double temperature;
        private Double topP;
        private Integer topK;
        private Double minP;
        private Long seed;
        private Integer maxTokens;
        private int minTokens;
        private List<String> stop = List.of();
        private List<Integer> stopTokenIds = List.of();
        private boolean includeStopStrInOutput;
        private boolean ignoreEos;
        private Integer logprobs;
        private Integer promptLogprobs;
        private double presencePenalty;
        private double frequencyPenalty;
        private Double repetitionPenalty;
        private Map<Integer, Double> logitBias = Map.of();
        private List<Integer> allowedTokenIds;
        private List<String> badWords = List.of();
        private boolean skipSpecialTokens = true;
        private boolean spacesBetweenSpecialTokens = true;
        private Integer truncatePromptTokens;
        private boolean useBeamSearch;
        private double lengthPenalty = 1.0;
        private EarlyStopping earlyStopping = EarlyStopping.FALSE;
        private GuidedSpec guided;

        public Builder n(int v) { n = v; return this; }
        public Builder bestOf(Integer v) { bestOf = v; return this; }
        public Builder temperature(Double v) { temperature = v; return this; }
        public Builder topP(Double v) { topP = v; return this; }
        public Builder topK(Integer v) { topK = v; return this; }
        public Builder minP(Double v) { minP = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder maxTokens(Integer v) { maxTokens = v; return this; }
        public Builder minTokens(int v) { minTokens = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder stopTokenIds(List<Integer> v) { stopTokenIds = v; return this; }
        public Builder includeStopStrInOutput(boolean v) { includeStopStrInOutput = v; return this; }
        public Builder ignoreEos(boolean v) { ignoreEos = v; return this; }
        public Builder logprobs(Integer v) { logprobs = v; return this; }
        public Builder promptLogprobs(Integer v) { promptLogprobs = v; return this; }
        public Builder presencePenalty(double v) { presencePenalty = v; return this; }
        public Builder frequencyPenalty(double v) { frequencyPenalty = v; return this; }
        public Builder repetitionPenalty(Double v) { repetitionPenalty = v; return this; }
        public Builder logitBias(Map<Integer, Double> v) { logitBias = v; return this; }
        public Builder allowedTokenIds(List<Integer> v) { allowedTokenIds = v; return this; }
        public Builder badWords(List<String> v) { badWords = v; return this; }
        public Builder skipSpecialTokens(boolean v) { skipSpecialTokens = v; return this; }
        public Builder spacesBetweenSpecialTokens(boolean v) { spacesBetweenSpecialTokens = v; return this; }
        public Builder truncatePromptTokens(Integer v) { truncatePromptTokens = v; return this; }
        public Builder useBeamSearch(boolean v) { useBeamSearch = v; return this; }
        public Builder lengthPenalty(double v) { lengthPenalty = v; return this; }
        public Builder earlyStopping(EarlyStopping v) { earlyStopping = v; return this; }
        public Builder guided(GuidedSpec v) { guided = v; return this; }

        public SamplingParams build() {
            SamplingParams p = new SamplingParams(n, bestOf, temperature, topP, topK, minP, seed, maxTokens, minTokens, stop,
                    stopTokenIds, includeStopStrInOutput, ignoreEos, logprobs, promptLogprobs, presencePenalty, frequencyPenalty,
                    repetitionPenalty, logitBias, allowedTokenIds, badWords, skipSpecialTokens, spacesBetweenSpecialTokens,
                    truncatePromptTokens, useBeamSearch, lengthPenalty, earlyStopping, guided);
            p.validate();
            return p;
        }
    }
}
