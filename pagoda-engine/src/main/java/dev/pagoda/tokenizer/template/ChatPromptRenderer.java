package dev.pagoda.tokenizer.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.PagodaException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a chat request into the prompt string the way vLLM does with transformers'
 * {@code apply_chat_template(..., tokenize=False)}: messages are normalised as vLLM normalises them,
 * the template gets {@code messages}, {@code tools}, {@code documents}, {@code add_generation_prompt},
 * the special tokens and the request's {@code chat_template_kwargs}, and
 * {@code continue_final_message} cuts the output right after the final message's text.
 */
public final class ChatPromptRenderer {
    /** How message content reaches the template; vLLM picks "string" unless a template loops over content parts. */
    public enum ContentFormat {
        /** Text parts joined with "\n" into one string (vLLM's default). */
        STRING,
        /** A list of {@code {"type": "text", "text": ...}} parts (vLLM's "openai" format). */
        OPENAI
    }

    private static final Set<String> RESERVED = Set.of("messages", "tools", "documents", "add_generation_prompt");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChatTemplate template;
    private final Map<String, Object> specialTokens;
    private final ContentFormat contentFormat;

    /**
     * @param specialTokens the tokenizer's special tokens by template variable name
     *                      ({@code bos_token}, {@code eos_token}, {@code unk_token}, {@code pad_token}, ...)
     */
    public ChatPromptRenderer(ChatTemplate template, Map<String, ?> specialTokens, ContentFormat contentFormat) {
        this.template = template;
        this.specialTokens = new LinkedHashMap<>(specialTokens);
        this.contentFormat = contentFormat;
    }

    public ChatPromptRenderer(String templateSource, Map<String, ?> specialTokens) {
        this(ChatTemplate.compile(templateSource), specialTokens, ContentFormat.STRING);
    }

    /**
     * @param messages              OpenAI-style messages (content a string, null, or a list of text parts)
     * @param tools                 tool definitions, or null when the request has none
     * @param addGenerationPrompt   append the assistant header so the model starts a new reply
     * @param continueFinalMessage  let the model continue the final message instead
     * @param chatTemplateKwargs    extra template variables, e.g. {@code enable_thinking}; may be null
     */
    public String render(List<? extends Map<String, ?>> messages, List<?> tools, boolean addGenerationPrompt,
                         boolean continueFinalMessage, Map<String, ?> chatTemplateKwargs) {
        if (continueFinalMessage && addGenerationPrompt) {
            throw new PagodaException("continue_final_message and add_generation_prompt are not compatible. Use "
                    + "continue_final_message when you want the model to continue the final message, and "
                    + "add_generation_prompt when you want to add a header that will prompt it to start a new "
                    + "assistant message instead.");
        }
        List<Map<String, Object>> chat = new ArrayList<>();
        for (Map<String, ?> m : messages) {
            chat.add(normalize(m));
        }
        Map<String, Object> context = new LinkedHashMap<>(specialTokens);
        if (chatTemplateKwargs != null) {
            for (String key : chatTemplateKwargs.keySet()) {
                if (RESERVED.contains(key)) {
                    throw new PagodaException("chat_template_kwargs may not set '" + key + "'");
                }
            }
            context.putAll(chatTemplateKwargs);
        }
        context.put("messages", chat);
        context.put("tools", tools);
        context.put("documents", null);
        context.put("add_generation_prompt", addGenerationPrompt);
        String rendered = template.render(context);
        return continueFinalMessage ? cutAfterFinalMessage(rendered, chat) : rendered;
    }

    /** vLLM's message parsing: flatten or wrap text parts, and decode JSON-string tool-call arguments. */
    private Map<String, Object> normalize(Map<String, ?> message) {
        Map<String, Object> out = new LinkedHashMap<>(message);
        List<String> texts = new ArrayList<>();
        switch (message.get("content")) {
            case null -> { }
            case String s -> texts.add(s);
            case List<?> parts -> {
                for (Object part : parts) {
                    texts.add(partText(part));
                }
            }
            default -> throw new PagodaException("message content must be a string or a list of content parts");
        }
        if (contentFormat == ContentFormat.STRING) {
            out.put("content", String.join("\n", texts));
        } else {
            List<Object> parts = new ArrayList<>();
            for (String text : texts) {
                parts.add(new LinkedHashMap<>(Map.of("type", "text", "text", text)));
            }
            out.put("content", parts);
        }
        if ("assistant".equals(message.get("role")) && message.get("tool_calls") instanceof List<?> calls) {
            out.put("tool_calls", calls.stream().map(ChatPromptRenderer::decodeArguments).toList());
        }
        return out;
    }

    private static String partText(Object part) {
        if (part instanceof String s) {
            return s;
        }
        if (part instanceof Map<?, ?> m && (m.get("type") == null || "text".equals(m.get("type")))
                && m.get("text") instanceof String text) {
            return text;
        }
        Object type = part instanceof Map<?, ?> m ? m.get("type") : null;
        throw new PagodaException("unsupported message content part" + (type != null ? " of type '" + type + "'" : "")
                + ": only text parts are supported");
    }

    /** Templates expect tool-call arguments as a mapping; OpenAI clients send a JSON string ("" means {}). */
    private static Object decodeArguments(Object call) {
        if (!(call instanceof Map<?, ?> c) || !(c.get("function") instanceof Map<?, ?> function)) {
            return call;
        }
        Object arguments = function.get("arguments");
        Object decoded = arguments;
        if (arguments == null || "".equals(arguments)) {
            decoded = new LinkedHashMap<>();
        } else if (arguments instanceof String s) {
            try {
                decoded = JSON.readValue(s, Object.class);
            } catch (JsonProcessingException e) {
                throw new PagodaException("tool call arguments are not valid JSON: " + e.getOriginalMessage());
            }
        }
        Map<Object, Object> newFunction = new LinkedHashMap<>(function);
        newFunction.put("arguments", decoded);
        Map<Object, Object> newCall = new LinkedHashMap<>(c);
        newCall.put("function", newFunction);
        return newCall;
    }

    /** transformers' continue_final_message: keep the output up to the end of the final message's text. */
    private static String cutAfterFinalMessage(String rendered, List<Map<String, Object>> chat) {
        if (chat.isEmpty()) {
            throw new PagodaException("continue_final_message is set but there are no messages");
        }
        String finalMessage = switch (chat.getLast().get("content")) {
            case String s -> s;
            case List<?> parts -> {
                String text = null;
                for (Object part : parts.reversed()) {
                    if (part instanceof Map<?, ?> m && m.get("text") instanceof String t) {
                        text = t;
                        break;
                    }
                }
                if (text == null) {
                    throw new PagodaException("continue_final_message is set but we could not find any text to continue in the final message!");
                }
                yield text;
            }
            default -> throw new PagodaException("continue_final_message is set but the final message has no text");
        };
        String stripped = Py.strip(finalMessage, null);
        int at = rendered.lastIndexOf(stripped);
        if (at < 0) {
            throw new PagodaException("continue_final_message is set but the final message does not appear in the chat "
                    + "after applying the chat template! This can happen if the chat template deletes portions of the "
                    + "final message. Please verify the chat template and final message in your chat to ensure they are compatible.");
        }
        int keptLength = Py.lstrip(finalMessage, null).length();
        int end = Math.min(rendered.length(), at + keptLength);
        if (rendered.substring(at, end).equals(finalMessage)) {
            return rendered.substring(0, at + keptLength); // the template kept the message's trailing whitespace
        }
        return rendered.substring(0, at + stripped.length()); // the template trimmed it, so cut after the text
    }
}
