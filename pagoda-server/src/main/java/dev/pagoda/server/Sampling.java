package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.sampling.InvalidParameterException;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.sampling.guided.GrammarException;
import dev.pagoda.sampling.guided.GuidedRequestFields;
import dev.pagoda.sampling.guided.GuidedSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sampling fields of one request, read the same way for completions, chat and /generate, and
 * validated with vLLM's messages (a 400 naming the field). Unset fields stay unset and take the
 * model's generation_config defaults in the engine. Fields of features Pagoda does not have yet
 * (structured output) are refused only at non-neutral values, so clients that send their defaults
 * keep working.
 */
public final class Sampling {
    /** vLLM's default --max-logprobs. */
    public static final int MAX_LOGPROBS = 20;

    private final SamplingParams.Builder builder;
    private final int n;
    private final Integer logprobs;
    private final Integer promptLogprobs;
    private final List<String> stop;
    private final boolean includeStopStr;
    private final boolean selectsCandidates;

    private Sampling(SamplingParams.Builder builder, int n, Integer logprobs, Integer promptLogprobs, List<String> stop,
                     boolean includeStopStr, boolean selectsCandidates) {
        this.builder = builder;
        this.n = n;
        this.logprobs = logprobs;
        this.promptLogprobs = promptLogprobs;
        this.stop = stop;
        this.includeStopStr = includeStopStr;
        this.selectsCandidates = selectsCandidates;
    }

    private static final List<String> GUIDED_FIELDS = List.of("guided_json", "guided_regex", "guided_choice", "guided_grammar",
            "guided_whitespace_pattern", "response_format", "structured_outputs");

    /** Reads the fields shared by every generation endpoint; {@code logprobs} is read by the caller (its type differs). */
    public static Sampling read(Fields f, Integer logprobs, ModelService model) {
        return read(f, logprobs, null, model);
    }

    /**
     * As {@link #read(Fields, Integer, ModelService)}; {@code impliedPromptLogprobs} is the number
     * of prompt log-probabilities the request implies when it sets no {@code prompt_logprobs}
     * (completions' echo with logprobs asks for logprobs of them, as vLLM does), or null.
     */
    public static Sampling read(Fields f, Integer logprobs, Integer impliedPromptLogprobs, ModelService model) {
        int maxNumSeqs = model.maxNumSeqs();
        rejectUnsupported(f);
        Integer n = f.integer("n");
        if (n != null && n > maxNumSeqs) {
            throw ApiException.badRequest("n must be at most " + maxNumSeqs + " (--max-num-seqs), got " + n + ".", "n");
        }
        Integer bestOf = f.integer("best_of");
        if (bestOf != null && bestOf > maxNumSeqs) {
            throw ApiException.badRequest("best_of must be at most " + maxNumSeqs + " (--max-num-seqs), got " + bestOf + ".", "best_of");
        }
        if (logprobs != null && logprobs > MAX_LOGPROBS) {
            throw ApiException.badRequest("Requested sample logprobs of " + logprobs + ", which is greater than max allowed: "
                    + MAX_LOGPROBS, "logprobs");
        }
        Integer promptLogprobs = promptLogprobs(f, model);
        if (promptLogprobs == null) promptLogprobs = impliedPromptLogprobs;
        List<String> stop = List.copyOf(f.stringOrList("stop"));
        boolean includeStop = f.bool("include_stop_str_in_output", false);
        boolean beam = f.bool("use_beam_search", false);
        Double presence = f.number("presence_penalty");
        Double frequency = f.number("frequency_penalty");
        Double lengthPenalty = f.number("length_penalty");
        Integer minTokens = f.integer("min_tokens");
        SamplingParams.Builder b = SamplingParams.builder()
                .n(n == null ? 1 : n).bestOf(bestOf)
                .temperature(f.number("temperature")).topP(f.number("top_p")).topK(f.integer("top_k")).minP(f.number("min_p"))
                .seed(f.longValue("seed"))
                .stop(stop).stopTokenIds(f.intList("stop_token_ids")).includeStopStrInOutput(includeStop)
                .ignoreEos(f.bool("ignore_eos", false)).minTokens(minTokens == null ? 0 : minTokens)
                .logprobs(logprobs).promptLogprobs(promptLogprobs)
                .presencePenalty(presence == null ? 0 : presence).frequencyPenalty(frequency == null ? 0 : frequency)
                .repetitionPenalty(f.number("repetition_penalty"))
                .logitBias(logitBias(f.node("logit_bias")))
                .allowedTokenIds(f.has("allowed_token_ids") ? f.intList("allowed_token_ids") : null)
                .badWords(f.stringOrList("bad_words"))
                .skipSpecialTokens(f.bool("skip_special_tokens", true))
                .spacesBetweenSpecialTokens(f.bool("spaces_between_special_tokens", true))
                .truncatePromptTokens(f.integer("truncate_prompt_tokens"))
                .useBeamSearch(beam).lengthPenalty(lengthPenalty == null ? 1.0 : lengthPenalty)
                .earlyStopping(earlyStopping(f.node("early_stopping")))
                .guided(guided(f, model));
        Sampling s = new Sampling(b, n == null ? 1 : n, logprobs, promptLogprobs, stop, includeStop,
                beam || (bestOf != null && bestOf > (n == null ? 1 : n)));
        s.params(null); // validates the values now, with vLLM's messages
        return s;
    }

    public int n() {
        return n;
    }

    public Integer logprobs() {
        return logprobs;
    }

    /** Log-probabilities per prompt token (asked for, or implied by echo with logprobs); null when none. */
    public Integer promptLogprobs() {
        return promptLogprobs;
    }

    /**
     * The request's {@code prompt_logprobs} with vLLM's rules: an integer, at least 0 or -1 (the
     * whole vocabulary), at most the server's max logprobs (vLLM's --max-logprobs default).
     */
    private static Integer promptLogprobs(Fields f, ModelService model) {
        Integer k = f.integer("prompt_logprobs");
        if (k == null) return null;
        if (k < -1) throw ApiException.badRequest("prompt_logprobs must be non-negative or -1, got " + k + ".", "prompt_logprobs");
        int wanted = k == -1 ? model.tokenizer().vocabSize() : k;
        if (wanted > MAX_LOGPROBS) {
            throw ApiException.badRequest("Requested prompt logprobs of " + wanted + ", which is greater than max allowed: "
                    + MAX_LOGPROBS, "prompt_logprobs");
        }
        return wanted;
    }

    /**
     * vLLM's rule for the OpenAI endpoints: prompt log-probabilities (other than 0) cannot be
     * streamed; echo with logprobs can (the prompt's entries go in the first chunk).
     */
    public static void refusePromptLogprobsWhenStreaming(Fields f, boolean stream) {
        Integer k = f.integer("prompt_logprobs");
        if (stream && k != null && (k > 0 || k == -1)) {
            throw ApiException.badRequest("`prompt_logprobs` are not available when `stream=True`.", "prompt_logprobs");
        }
    }

    public List<String> stop() {
        return stop;
    }

    public boolean includeStopStr() {
        return includeStopStr;
    }

    /**
     * The n outputs are chosen among more candidates (best_of > n, beam search): nothing can be
     * streamed before the request ends, and the choices are sent together.
     */
    public boolean selectsCandidates() {
        return selectsCandidates;
    }

    /** The engine's parameters with this many output tokens at most (null: the engine default). */
    public SamplingParams params(Integer maxTokens) {
        try {
            return builder.maxTokens(maxTokens).build();
        } catch (IllegalArgumentException e) {
            throw validation(e);
        }
    }

    /** The prompt as truncate_prompt_tokens asks (unchanged without it). */
    public int[] truncate(int[] promptTokenIds, int maxModelLen) {
        try {
            return params(null).truncatePrompt(promptTokenIds, maxModelLen);
        } catch (IllegalArgumentException e) {
            throw validation(e);
        }
    }

    /** An engine validation error as a 400; vLLM's message, naming the field when the engine knows it. */
    public static ApiException validation(IllegalArgumentException e) {
        return ApiException.badRequest(e.getMessage(), e instanceof InvalidParameterException p ? p.field() : null);
    }

    /** The requested output length must fit the context with the prompt (vLLM's wording). */
    public static void checkContext(int promptTokens, int maxTokens, int maxModelLen) {
        if (promptTokens >= maxModelLen) {
            throw ApiException.badRequest("This model's maximum context length is " + maxModelLen + " tokens. However, your request has "
                    + promptTokens + " input tokens. Please reduce the length of the input messages.", "input_tokens");
        }
        if ((long) promptTokens + maxTokens > maxModelLen) {
            throw ApiException.badRequest("This model's maximum context length is " + maxModelLen + " tokens. However, you requested "
                    + ((long) promptTokens + maxTokens) + " tokens (" + promptTokens + " in the messages, " + maxTokens
                    + " in the completion). Please reduce the length of the messages or completion.", "max_tokens");
        }
    }

    /** OpenAI's {@code logit_bias}: an object from token ids (as strings) to biases. */
    private static Map<Integer, Double> logitBias(JsonNode node) {
        Map<Integer, Double> out = new LinkedHashMap<>();
        if (node == null) return out;
        if (!node.isObject()) throw Fields.wrongType("logit_bias", "an object mapping token ids to numbers");
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException x) {
                throw ApiException.badRequest("logit_bias keys must be token ids, got '" + e.getKey() + "'.", "logit_bias");
            }
            if (!e.getValue().isNumber()) throw Fields.wrongType("logit_bias", "an object mapping token ids to numbers");
            out.put(id, e.getValue().asDouble());
        }
        return out;
    }

    /** vLLM's {@code early_stopping}: true, false or "never". */
    private static SamplingParams.EarlyStopping earlyStopping(JsonNode node) {
        if (node == null) return SamplingParams.EarlyStopping.FALSE;
        if (node.isBoolean()) return node.booleanValue() ? SamplingParams.EarlyStopping.TRUE : SamplingParams.EarlyStopping.FALSE;
        if (node.isTextual() && node.textValue().equals("never")) return SamplingParams.EarlyStopping.NEVER;
        throw ApiException.badRequest("early_stopping must be True, False, or 'never', got " + node + ".", "early_stopping");
    }

    private static void rejectUnsupported(Fields f) {
        for (String field : List.of("logits_processors", "prompt_embeds")) {
            JsonNode v = f.node(field);
            if (v != null && !(v.isContainerNode() && v.isEmpty())) unsupported(field, field);
        }
    }

    /** The request's structured-output constraint (guided_*, response_format, structured_outputs), compiled, or null. */
    private static GuidedSpec guided(Fields f, ModelService model) {
        String given = null;
        for (String field : GUIDED_FIELDS) {
            JsonNode v = f.node(field); // marks the field as read
            if (given == null && v != null && !v.isNull()) given = field;
        }
        try {
            GuidedSpec spec = GuidedRequestFields.parse(f.body()).orElse(null);
            // Compiled here, where the field is known, so a bad constraint is a 400 naming it; the
            // engine finds the compiled grammar in its cache.
            if (spec != null) model.compileConstraint(spec);
            return spec;
        } catch (GrammarException e) {
            throw ApiException.badRequest(e.getMessage() + " ('" + given + "')", given);
        }
    }

    private static void unsupported(String field, String what) {
        throw ApiException.badRequest(what + " is not supported by this server yet ('" + field + "').", field);
    }
}
