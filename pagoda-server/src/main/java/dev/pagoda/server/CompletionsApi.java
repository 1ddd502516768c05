package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.pagoda.engine.Logprob;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /v1/completions}: prompts as a string, strings, token ids or lists of token ids
 * (one engine request each, choice index = prompt × n + sequence), {@code echo},
 * {@code add_special_tokens}, logprobs, usage; streamed as OpenAI's SSE chunks.
 *
 * <p>Echo with logprobs (vLLM's rules): the request asks the engine for prompt log-probabilities
 * (logprobs of them, unless prompt_logprobs says otherwise), and each choice's logprobs start with
 * the prompt's tokens, the first with a null logprob, text offsets running over the prompt text;
 * {@code max_tokens: 0} with echo returns the prompt alone (the engine generates one token, not
 * shown). A stream sends the prompt's entries in the first chunk of each choice.
 */
final class CompletionsApi {
    private record PromptInput(String text, int[] ids) {
    }

    private final ModelService model;

    CompletionsApi(ModelService model) {
        this.model = model;
    }

    void handle(Exchange ex) throws InterruptedException {
        Fields f = new Fields(ex.jsonBody());
        model.checkModel(f.string("model"));
        boolean stream = f.bool("stream", false);
        StreamOptions options = StreamOptions.read(f, stream);
        boolean echo = f.bool("echo", false);
        boolean addSpecial = f.bool("add_special_tokens", true);
        Integer logprobs = f.integer("logprobs");
        if (logprobs != null && logprobs < 0) throw ApiException.badRequest("logprobs must be non-negative or -1, got " + logprobs + ".", "logprobs");
        Sampling.refusePromptLogprobsWhenStreaming(f, stream);
        String suffix = f.string("suffix");
        if (suffix != null && !suffix.isEmpty()) throw ApiException.badRequest("suffix is not supported by this server yet ('suffix').", "suffix");
        Sampling sampling = Sampling.read(f, logprobs, echo ? logprobs : null, model);
        Integer maxTokensField = f.integer("max_tokens");
        int maxTokens = maxTokensField != null ? maxTokensField : 16;
        // vLLM: echo with max_tokens 0 returns the prompt only; the engine still generates one token.
        boolean echoOnly = echo && maxTokens == 0;
        List<PromptInput> prompts = new ArrayList<>();
        for (PromptInput p : prompts(f.node("prompt"), addSpecial)) {
            int[] kept = sampling.truncate(p.ids, model.maxModelLen());
            // A truncated prompt's text is its kept tokens' (for echo).
            prompts.add(kept == p.ids ? p : new PromptInput(null, kept));
        }
        for (PromptInput p : prompts) Sampling.checkContext(p.ids.length, maxTokens, model.maxModelLen());
        var params = sampling.params(echoOnly ? 1 : maxTokens);
        Server.logUnread(f);
        Echo shown = echo ? new Echo(echoOnly) : null;

        String id = "cmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        List<GenerationRun> runs = new ArrayList<>();
        try {
            for (int i = 0; i < prompts.size(); i++) {
                PromptInput p = prompts.get(i);
                runs.add(new GenerationRun(model, id + "-" + i, p.text, p.ids, params, sampling));
            }
            if (stream) {
                stream(ex, runs, prompts, id, created, options, shown, sampling);
            } else {
                Streaming.awaitAll(ex, runs);
                if (!ex.closed()) ex.json(200, response(runs, prompts, id, created, shown, sampling));
            }
        } finally {
            Streaming.closeAll(runs);
        }
    }

    /** How the prompt is echoed: with the output, or alone (max_tokens 0). */
    private record Echo(boolean promptOnly) {
    }

    private ObjectNode response(List<GenerationRun> runs, List<PromptInput> prompts, String id, long created, Echo echo, Sampling s) {
        ObjectNode o = header(id, created, "text_completion");
        ArrayNode choices = o.putArray("choices");
        int promptTokens = 0, completionTokens = 0;
        for (int r = 0; r < runs.size(); r++) {
            GenerationRun run = runs.get(r);
            promptTokens += run.promptTokens();
            completionTokens += run.completionTokens();
            for (int c = 0; c < run.choices().size(); c++) {
                ChoiceText ct = run.choices().get(c);
                choice(choices.addObject(), run, ct, r * s.n() + c, prompts.get(r), echo, s);
            }
        }
        o.set("usage", usage(promptTokens, completionTokens));
        return o;
    }

    /**
     * A whole choice: its text (after the echoed prompt), log-probabilities (of the echoed prompt's
     * tokens too), finish and stop reasons, and the prompt's log-probabilities when computed.
     */
    private void choice(ObjectNode ch, GenerationRun run, ChoiceText ct, int index, PromptInput p, Echo echo, Sampling s) {
        ch.put("index", index);
        if (echo == null) {
            ch.put("text", ct.text());
            ch.set("logprobs", s.logprobs() == null ? null : LogprobsJson.completion(ct.tokenIds(), ct.logprobs(), s.logprobs(), 0));
        } else {
            int[] outIds = echo.promptOnly() ? new int[0] : ct.tokenIds();
            ch.put("text", promptText(p) + (echo.promptOnly() ? "" : ct.text()));
            ch.set("logprobs", s.logprobs() == null ? null : echoedLogprobs(run, p.ids, outIds,
                    echo.promptOnly() ? List.of() : ct.logprobs(), s.logprobs(), 0));
        }
        ch.put("finish_reason", ct.finishReason());
        putStopReason(ch, ct.stopReason());
        ch.set("prompt_logprobs", run.promptLogprobs() == null ? null : LogprobsJson.prompt(run.promptLogprobs()));
    }

    /** Completions logprobs over the prompt's tokens, then the given output tokens; offsets from {@code textOffset}. */
    private ObjectNode echoedLogprobs(GenerationRun run, int[] promptIds, int[] outIds, List<Map<Integer, Logprob>> outEntries,
                                      int top, int textOffset) {
        List<Map<Integer, Logprob>> entries = new ArrayList<>(promptIds.length + outIds.length);
        List<Map<Integer, Logprob>> prompt = run.promptLogprobs();
        entries.addAll(prompt != null ? prompt : Collections.nCopies(promptIds.length, null));
        entries.addAll(outEntries.subList(outEntries.size() - outIds.length, outEntries.size()));
        int[] ids = Arrays.copyOf(promptIds, promptIds.length + outIds.length);
        System.arraycopy(outIds, 0, ids, promptIds.length, outIds.length);
        return LogprobsJson.completion(ids, entries, top, textOffset, id -> model.tokenizer().decode(new int[]{id}, false));
    }

    private void stream(Exchange ex, List<GenerationRun> runs, List<PromptInput> prompts, String id, long created,
                        StreamOptions options, Echo echo, Sampling s) throws InterruptedException {
        ex.startStream("text/event-stream");
        boolean[] echoed = new boolean[runs.size() * s.n()];
        boolean[] finishedSent = new boolean[runs.size() * s.n()];
        int[] textSent = new int[runs.size() * s.n()];
        boolean ok = Streaming.pump(ex, runs, (run, r) -> {
            List<String> pieces = new ArrayList<>();
            if (s.selectsCandidates()) {
                // The n outputs are known only at the end: they go out together, as one chunk.
                if (!run.done()) return pieces;
                ObjectNode chunk = header(id, created, "text_completion");
                ArrayNode all = chunk.putArray("choices");
                for (int c = 0; c < run.choices().size(); c++) choice(all.addObject(), run, run.choices().get(c), r * s.n() + c, prompts.get(r), echo, s);
                if (options.continuousUsage()) chunk.set("usage", usage(run.promptTokens(), run.completionTokens()));
                pieces.add(Streaming.sse(Json.write(chunk)));
                return pieces;
            }
            for (int c = 0; c < run.choices().size(); c++) {
                ChoiceText ct = run.choices().get(c);
                int index = r * s.n() + c;
                if (finishedSent[index]) continue;
                int[] newTokens = ct.takeNewTokens();
                String text = ct.takeDelta();
                List<Map<Integer, Logprob>> newEntries = s.logprobs() == null || ct.logprobs() == null ? List.of()
                        : ct.logprobs().subList(ct.tokenIds().length - newTokens.length, ct.tokenIds().length);
                if (echo != null && echo.promptOnly()) {
                    text = ""; // the prompt alone is returned: the one generated token is not shown
                    newTokens = new int[0];
                    newEntries = List.of();
                }
                boolean echoNow = echo != null && !echoed[index];
                boolean finished = ct.finished();
                if (!echoNow && text.isEmpty() && !finished && (newTokens.length == 0 || s.logprobs() == null)) continue;
                ObjectNode chunk = header(id, created, "text_completion");
                ObjectNode ch = chunk.putArray("choices").addObject();
                ch.put("index", index);
                ObjectNode lp;
                if (echoNow) {
                    // The first chunk echoes the prompt, with its log-probabilities (vLLM's order).
                    echoed[index] = true;
                    PromptInput p = prompts.get(r);
                    lp = s.logprobs() == null ? null : echoedLogprobs(run, p.ids, newTokens, newEntries, s.logprobs(), textSent[index]);
                    text = promptText(p) + text;
                } else {
                    lp = s.logprobs() == null ? null : LogprobsJson.completion(newTokens, newEntries, s.logprobs(), textSent[index]);
                }
                textSent[index] += text.length();
                ch.put("text", text);
                ch.set("logprobs", lp);
                ch.put("finish_reason", ct.finishReason());
                if (finished) {
                    putStopReason(ch, ct.stopReason());
                    finishedSent[index] = true;
                }
                if (options.continuousUsage()) chunk.set("usage", usage(run.promptTokens(), run.completionTokens()));
                pieces.add(Streaming.sse(Json.write(chunk)));
            }
            return pieces;
        }, e -> Streaming.sse(Json.write(Json.error(e))));
        if (ex.closed()) return;
        if (ok && options.includeUsage()) {
            int p = 0, c = 0;
            for (GenerationRun run : runs) {
                p += run.promptTokens();
                c += run.completionTokens();
            }
            ObjectNode last = header(id, created, "text_completion");
            last.putArray("choices");
            last.set("usage", usage(p, c));
            ex.send(Streaming.sse(Json.write(last)));
        }
        ex.send(Streaming.DONE);
        ex.end();
    }

    private String promptText(PromptInput p) {
        return p.text != null ? p.text : model.tokenizer().decode(p.ids, false);
    }

    private ObjectNode header(String id, long created, String object) {
        return header(model.name(), id, created, object);
    }

    /** The fields every OpenAI response and stream chunk starts with (completions and chat alike). */
    static ObjectNode header(String modelName, String id, long created, String object) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", modelName);
        return o;
    }

    static void putStopReason(ObjectNode ch, Object stopReason) {
        if (stopReason instanceof Integer i) ch.put("stop_reason", i);
        else if (stopReason instanceof String s) ch.put("stop_reason", s);
        else ch.putNull("stop_reason");
    }

    static ObjectNode usage(int prompt, int completion) {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", prompt);
        u.put("total_tokens", prompt + completion);
        u.put("completion_tokens", completion);
        return u;
    }

    private List<PromptInput> prompts(JsonNode prompt, boolean addSpecial) {
        if (prompt == null) throw ApiException.badRequest("Either prompt or prompt_embeds must be provided and non-empty.", "prompt");
        List<PromptInput> out = new ArrayList<>();
        if (prompt.isTextual()) {
            out.add(text(prompt.textValue(), addSpecial));
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            JsonNode first = prompt.get(0);
            if (first.isTextual()) {
                for (JsonNode p : prompt) {
                    if (!p.isTextual()) throw Fields.wrongType("prompt", "a string, a list of strings, a list of token ids or a list of lists of token ids");
                    out.add(text(p.textValue(), addSpecial));
                }
            } else if (first.isArray()) {
                for (JsonNode p : prompt) out.add(new PromptInput(null, ids(p)));
            } else {
                out.add(new PromptInput(null, ids(prompt)));
            }
        } else {
            throw ApiException.badRequest("Either prompt or prompt_embeds must be provided and non-empty.", "prompt");
        }
        return out;
    }

    private PromptInput text(String text, boolean addSpecial) {
        return new PromptInput(text, model.tokenizer().encode(text, addSpecial));
    }

    private int[] ids(JsonNode list) {
        if (!list.isArray() || list.isEmpty()) throw ApiException.badRequest("Either prompt or prompt_embeds must be provided and non-empty.", "prompt");
        int[] ids = new int[list.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode n = list.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw Fields.wrongType("prompt", "a string, a list of strings, a list of token ids or a list of lists of token ids");
            }
            ids[i] = n.asInt();
        }
        return ids;
    }
}
