package dev.pagoda.server;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.PagodaException;
import dev.pagoda.tokenizer.template.ChatPromptRenderer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /v1/chat/completions}: messages rendered with the model's chat template (or
 * --chat-template, or the request's {@code chat_template}), tokenized without special tokens
 * (the template writes BOS); {@code max_completion_tokens} wins over {@code max_tokens}, which
 * defaults to the rest of the context. Streams start with the role delta.
 */
final class ChatApi {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "developer");

    private final ModelService model;

    ChatApi(ModelService model) {
        this.model = model;
    }

    /** The rendered prompt of a chat request's messages (shared with /tokenize). */
    static String render(ModelService model, Fields f) {
        List<Map<String, Object>> messages = messages(f.node("messages"));
        JsonNode toolsNode = f.node("tools");
        if (toolsNode != null && !toolsNode.isArray()) throw Fields.wrongType("tools", "a list");
        List<Object> tools = toolsNode == null ? null : Json.MAPPER.convertValue(toolsNode, new TypeReference<List<Object>>() { });
        boolean continueFinal = f.bool("continue_final_message", false);
        boolean addGenerationPrompt = f.bool("add_generation_prompt", !continueFinal);
        JsonNode kwargsNode = f.node("chat_template_kwargs");
        if (kwargsNode != null && !kwargsNode.isObject()) throw Fields.wrongType("chat_template_kwargs", "an object");
        Map<String, Object> kwargs = kwargsNode == null ? null : Json.MAPPER.convertValue(kwargsNode, new TypeReference<Map<String, Object>>() { });
        String requestTemplate = f.string("chat_template");
        try {
            ChatPromptRenderer renderer = requestTemplate != null
                    ? new ChatPromptRenderer(requestTemplate, model.tokenizer().specialTokenStrings()) : model.chatRenderer();
            return renderer.render(messages, tools, addGenerationPrompt, continueFinal, kwargs);
        } catch (PagodaException e) {
            throw ApiException.badRequest(e.getMessage(), null);
        }
    }

    private static List<Map<String, Object>> messages(JsonNode node) {
        if (node == null) throw Fields.missing("messages");
        if (!node.isArray() || node.isEmpty()) throw ApiException.badRequest("'messages' must be a non-empty list of messages.", "messages");
        for (JsonNode m : node) {
            if (!m.isObject()) throw Fields.wrongType("messages", "a list of objects");
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.textValue())) {
                throw ApiException.badRequest("Each message needs a 'role': one of system, user, assistant, tool, developer.", "messages");
            }
            JsonNode content = m.get("content");
            if (content != null && !content.isNull() && !content.isTextual()) {
                if (!content.isArray()) throw Fields.wrongType("messages.content", "a string or a list of content parts");
                for (JsonNode part : content) {
                    if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                        throw ApiException.badRequest("Only text content parts ({\"type\": \"text\", \"text\": ...}) are supported.", "messages");
                    }
                }
            }
        }
        return Json.MAPPER.convertValue(node, new TypeReference<List<Map<String, Object>>>() { });
    }

    void handle(Exchange ex) throws InterruptedException {
        Fields f = new Fields(ex.jsonBody());
        model.checkModel(f.string("model"));
        boolean stream = f.bool("stream", false);
        StreamOptions options = StreamOptions.read(f, stream);
        boolean wantLogprobs = f.bool("logprobs", false);
        Integer top = f.integer("top_logprobs");
        if (top != null && !wantLogprobs) throw ApiException.badRequest("when using `top_logprobs`, `logprobs` must be set to true.", "top_logprobs");
        if (top != null && top < 0) throw ApiException.badRequest("top_logprobs must be non-negative, got " + top + ".", "top_logprobs");
        if (top != null && top > Sampling.MAX_LOGPROBS) {
            throw ApiException.badRequest("Requested top_logprobs of " + top + ", which is greater than max allowed: " + Sampling.MAX_LOGPROBS, "top_logprobs");
        }
        String toolChoice = f.node("tool_choice") == null ? null : f.node("tool_choice").isTextual() ? f.string("tool_choice") : "named";
        if (toolChoice != null && !toolChoice.equals("none") && !toolChoice.equals("auto")) {
            throw ApiException.badRequest("tool_choice other than \"none\" or \"auto\" is not supported by this server yet ('tool_choice').", "tool_choice");
        }
        Integer logprobs = wantLogprobs ? (top == null ? 0 : top) : null;
        Sampling.refusePromptLogprobsWhenStreaming(f, stream);
        Sampling sampling = Sampling.read(f, logprobs, model);
        String prompt = render(model, f);
        int[] ids = sampling.truncate(model.tokenizer().encode(prompt, f.bool("add_special_tokens", false)), model.maxModelLen());
        Integer maxCompletion = f.integer("max_completion_tokens");
        Integer maxTokensField = maxCompletion != null ? maxCompletion : f.integer("max_tokens");
        if (maxTokensField != null && maxTokensField < 1) {
            throw ApiException.badRequest("max_tokens must be at least 1, got " + maxTokensField + ".", maxCompletion != null ? "max_completion_tokens" : "max_tokens");
        }
        int maxTokens = maxTokensField != null ? maxTokensField : Math.max(1, model.maxModelLen() - ids.length);
        Sampling.checkContext(ids.length, maxTokens, model.maxModelLen());
        var params = sampling.params(maxTokens);
        Server.logUnread(f);

        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        List<GenerationRun> runs = new ArrayList<>();
        try {
            runs.add(new GenerationRun(model, id, prompt, ids, params, sampling));
            if (stream) {
                stream(ex, runs.getFirst(), id, created, options, sampling);
            } else {
                Streaming.awaitAll(ex, runs);
                if (!ex.closed()) ex.json(200, response(runs.getFirst(), id, created, sampling));
            }
        } finally {
            Streaming.closeAll(runs);
        }
    }

    private ObjectNode response(GenerationRun run, String id, long created, Sampling s) {
        ObjectNode o = header(id, created, "chat.completion");
        ArrayNode choices = o.putArray("choices");
        for (int c = 0; c < run.choices().size(); c++) {
            ChoiceText ct = run.choices().get(c);
            ObjectNode ch = choices.addObject();
            ch.put("index", c);
            ObjectNode message = ch.putObject("message");
            message.put("role", "assistant");
            message.put("content", ct.text());
            message.putArray("tool_calls");
            finish(ch, ct, s);
        }
        o.set("usage", CompletionsApi.usage(run.promptTokens(), run.completionTokens()));
        // vLLM puts the prompt's log-probabilities on the chat response itself, not on a choice.
        o.set("prompt_logprobs", run.promptLogprobs() == null ? null : LogprobsJson.prompt(run.promptLogprobs()));
        return o;
    }

    private static void finish(ObjectNode ch, ChoiceText ct, Sampling s) {
        ch.set("logprobs", s.logprobs() == null ? null : LogprobsJson.chat(ct.tokenIds(), ct.logprobs(), s.logprobs()));
        ch.put("finish_reason", ct.finishReason());
        CompletionsApi.putStopReason(ch, ct.stopReason());
    }

    private void stream(Exchange ex, GenerationRun run, String id, long created, StreamOptions options, Sampling s)
            throws InterruptedException {
        ex.startStream("text/event-stream");
        for (int c = 0; c < s.n(); c++) {
            ObjectNode chunk = header(id, created, "chat.completion.chunk");
            ObjectNode ch = chunk.putArray("choices").addObject();
            ch.put("index", c);
            ch.putObject("delta").put("role", "assistant").put("content", "");
            ch.putNull("logprobs");
            ch.putNull("finish_reason");
            if (options.continuousUsage()) chunk.set("usage", CompletionsApi.usage(run.promptTokens(), 0));
            if (!ex.send(Streaming.sse(Json.write(chunk)))) return;
        }
        boolean[] finishedSent = new boolean[s.n()];
        boolean ok = Streaming.pump(ex, List.of(run), (r, unused) -> {
            List<String> pieces = new ArrayList<>();
            if (s.selectsCandidates()) {
                // The n outputs are known only at the end: they go out together, as one chunk.
                if (!r.done()) return pieces;
                ObjectNode chunk = header(id, created, "chat.completion.chunk");
                ArrayNode all = chunk.putArray("choices");
                for (int c = 0; c < r.choices().size(); c++) {
                    ObjectNode ch = all.addObject();
                    ch.put("index", c);
                    ch.putObject("delta").put("content", r.choices().get(c).text());
                    finish(ch, r.choices().get(c), s);
                }
                if (options.continuousUsage()) chunk.set("usage", CompletionsApi.usage(r.promptTokens(), r.completionTokens()));
                pieces.add(Streaming.sse(Json.write(chunk)));
                return pieces;
            }
            for (int c = 0; c < r.choices().size(); c++) {
                ChoiceText ct = r.choices().get(c);
                if (finishedSent[c]) continue;
                int[] newTokens = ct.takeNewTokens();
                String text = ct.takeDelta();
                boolean finished = ct.finished();
                if (text.isEmpty() && !finished && (newTokens.length == 0 || s.logprobs() == null)) continue;
                ObjectNode chunk = header(id, created, "chat.completion.chunk");
                ObjectNode ch = chunk.putArray("choices").addObject();
                ch.put("index", c);
                ObjectNode delta = ch.putObject("delta");
                if (!text.isEmpty() || !finished) delta.put("content", text);
                ch.set("logprobs", s.logprobs() == null ? null : LogprobsJson.chat(newTokens,
                        ct.logprobs().subList(ct.tokenIds().length - newTokens.length, ct.tokenIds().length), s.logprobs()));
                ch.put("finish_reason", ct.finishReason());
                if (finished) {
                    CompletionsApi.putStopReason(ch, ct.stopReason());
                    finishedSent[c] = true;
                }
                if (options.continuousUsage()) chunk.set("usage", CompletionsApi.usage(r.promptTokens(), r.completionTokens()));
                pieces.add(Streaming.sse(Json.write(chunk)));
            }
            return pieces;
        }, e -> Streaming.sse(Json.write(Json.error(e))));
        if (ex.closed()) return;
        if (ok && options.includeUsage()) {
            ObjectNode last = header(id, created, "chat.completion.chunk");
            last.putArray("choices");
            last.set("usage", CompletionsApi.usage(run.promptTokens(), run.completionTokens()));
            ex.send(Streaming.sse(Json.write(last)));
        }
        ex.send(Streaming.DONE);
        ex.end();
    }

    private ObjectNode header(String id, long created, String object) {
        return CompletionsApi.header(model.name(), id, created, object);
    }
}
