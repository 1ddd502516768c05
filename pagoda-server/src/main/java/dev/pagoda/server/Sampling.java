package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.sampling.SamplingParams;

import java.util.List;

/**
 * The sampling fields of one request, read the same way for completions, chat and /generate.
 * Fields of sampling features Pagoda does not have yet are refused only at non-neutral values,
 * so clients that send their defaults keep working; unset fields stay unset and take the model's
 * generation_config defaults in the engine.
 *
 * @param logprobs engine top-N log-probabilities per generated token (null: none)
 * @param stop     stop strings, cut from the output unless {@code includeStopStr}
 */
public record Sampling(int n, Double temperature, Double topP, Integer topK, Double minP, Long seed,
                       List<Integer> stopTokenIds, boolean ignoreEos, Integer logprobs,
                       List<String> stop, boolean includeStopStr) {
    /** vLLM's default --max-logprobs. */
    public static final int MAX_LOGPROBS = 20;
    /** The fields whose engine validation messages start with their name. */
    private static final java.util.Set<String> VALIDATED = java.util.Set.of("n", "temperature", "top_p", "top_k", "min_p",
            "max_tokens", "logprobs");

    /** Reads the fields shared by every generation endpoint; {@code logprobs} is read by the caller (its type differs). */
    public static Sampling read(Fields f, Integer logprobs, int maxNumSeqs) {
        rejectUnsupported(f);
        Integer n = f.integer("n");
        if (n != null && n > maxNumSeqs) {
            throw ApiException.badRequest("n must be at most " + maxNumSeqs + " (--max-num-seqs), got " + n + ".", "n");
        }
        List<String> stop = f.stringOrList("stop");
        if (stop.contains("")) throw ApiException.badRequest("stop cannot contain an empty string.", "stop");
        if (logprobs != null && logprobs > MAX_LOGPROBS) {
            throw ApiException.badRequest("Requested sample logprobs of " + logprobs + ", which is greater than max allowed: "
                    + MAX_LOGPROBS, "logprobs");
        }
        Sampling s = new Sampling(n == null ? 1 : n, f.number("temperature"), f.number("top_p"), f.integer("top_k"),
                f.number("min_p"), f.longValue("seed"), f.intList("stop_token_ids"), f.bool("ignore_eos", false), logprobs,
                List.copyOf(stop), f.bool("include_stop_str_in_output", false));
        s.params(null); // validates the values now, with vLLM's messages
        return s;
    }

    /** The engine's parameters with this many output tokens at most (null: the engine default). */
    public SamplingParams params(Integer maxTokens) {
        try {
            return SamplingParams.builder().n(n).temperature(temperature).topP(topP).topK(topK).minP(minP).seed(seed)
                    .maxTokens(maxTokens).stopTokenIds(stopTokenIds).ignoreEos(ignoreEos).logprobs(logprobs).build();
        } catch (IllegalArgumentException e) {
            throw validation(e);
        }
    }

    /** An engine validation message ("top_p must be in (0, 1], got 0.0.") as a 400 naming the field it starts with. */
    public static ApiException validation(IllegalArgumentException e) {
        String m = e.getMessage();
        String first = m.split(" ", 2)[0];
        return ApiException.badRequest(m, VALIDATED.contains(first) ? first : null);
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

    private static void rejectUnsupported(Fields f) {
        neutralNumber(f, "presence_penalty", 0);
        neutralNumber(f, "frequency_penalty", 0);
        neutralNumber(f, "repetition_penalty", 1);
        neutralNumber(f, "length_penalty", 1);
        neutralNumber(f, "min_tokens", 0);
        if (Boolean.TRUE.equals(f.bool("use_beam_search"))) unsupported("use_beam_search", "beam search");
        Integer bestOf = f.integer("best_of");
        Integer n = f.integer("n");
        if (bestOf != null && bestOf > (n == null ? 1 : n)) unsupported("best_of", "best_of greater than n");
        if (bestOf != null && bestOf < (n == null ? 1 : n)) {
            throw ApiException.badRequest("best_of must be greater than or equal to n, got n=" + n + " and best_of=" + bestOf + ".", "best_of");
        }
        for (String guided : List.of("guided_json", "guided_regex", "guided_choice", "guided_grammar", "structured_outputs",
                "allowed_token_ids", "bad_words", "prompt_logprobs", "truncate_prompt_tokens", "logits_processors", "prompt_embeds")) {
            JsonNode v = f.node(guided);
            if (v != null && !(v.isContainerNode() && v.isEmpty())) unsupported(guided, guided);
        }
        JsonNode bias = f.node("logit_bias");
        if (bias != null && !bias.isEmpty()) unsupported("logit_bias", "logit_bias");
        if (Boolean.FALSE.equals(f.bool("skip_special_tokens"))) unsupported("skip_special_tokens", "skip_special_tokens=false");
        JsonNode format = f.node("response_format");
        if (format != null && !(format.isObject() && "text".equals(format.path("type").asText()))) {
            unsupported("response_format", "response_format other than {\"type\": \"text\"}");
        }
    }

    private static void neutralNumber(Fields f, String name, double neutral) {
        Double v = f.number(name);
        if (v != null && v != neutral) unsupported(name, name + " other than " + (neutral == (long) neutral ? Long.toString((long) neutral) : neutral));
    }

    private static void unsupported(String field, String what) {
        throw ApiException.badRequest(what + " is not supported by this server yet ('" + field + "').", field);
    }
}
