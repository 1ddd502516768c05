package dev.pagoda.tokenizer.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pagoda.PagodaException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatPromptRendererTest {
    private static final Map<String, String> QWEN_TOKENS = Map.of("eos_token", "<|im_end|>", "pad_token", "<|endoftext|>");

    private static ChatPromptRenderer renderer(String model, Map<String, ?> tokens) throws IOException {
        return new ChatPromptRenderer(ReferenceTemplatesTest.templateSource(model), tokens);
    }

    private static Map<String, Object> msg(String role, Object content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    /** The reference cases again, split into request fields the way a server would receive them. */
    @Test
    @SuppressWarnings("unchecked")
    void reproducesReferenceCasesFromRequestFields() throws IOException {
        int checked = 0;
        for (String model : ReferenceTemplatesTest.MODELS) {
            for (Map<String, Object> c : ReferenceTemplatesTest.cases(model)) {
                if (!c.containsKey("rendered")) {
                    continue;
                }
                Map<String, Object> ctx = new LinkedHashMap<>((Map<String, Object>) c.get("context"));
                List<Map<String, Object>> messages = (List<Map<String, Object>>) ctx.remove("messages");
                List<Object> tools = (List<Object>) ctx.remove("tools");
                boolean addGenerationPrompt = (Boolean) ctx.remove("add_generation_prompt");
                Map<String, Object> tokens = new LinkedHashMap<>();
                for (String key : List.copyOf(ctx.keySet())) {
                    if (key.endsWith("_token")) {
                        tokens.put(key, ctx.remove(key));
                    }
                }
                String got = renderer(model, tokens).render(messages, tools, addGenerationPrompt, false, ctx);
                assertEquals(c.get("rendered"), got, model + "/" + c.get("id"));
                checked++;
            }
        }
        assertEquals(29, checked);
    }

    @Test
    void textPartsAreJoinedWithNewlines() throws IOException {
        ChatPromptRenderer r = renderer("qwen2.5", QWEN_TOKENS);
        List<Map<String, Object>> parts = List.of(msg("user", List.of(
                Map.of("type", "text", "text", "first"), Map.of("type", "text", "text", "second"))));
        List<Map<String, Object>> joined = List.of(msg("user", "first\nsecond"));
        assertEquals(r.render(joined, null, true, false, null), r.render(parts, null, true, false, null));
    }

    @Test
    void openAiContentFormatKeepsParts() {
        ChatTemplate t = ChatTemplate.compile("{% for p in messages[0].content %}<{{ p.type }}:{{ p.text }}>{% endfor %}");
        ChatPromptRenderer r = new ChatPromptRenderer(t, Map.of(), ChatPromptRenderer.ContentFormat.OPENAI);
        assertEquals("<text:a><text:b>", r.render(List.of(msg("user", List.of(
                Map.of("type", "text", "text", "a"), Map.of("type", "text", "text", "b")))), null, false, false, null));
        assertEquals("<text:plain>", r.render(List.of(msg("user", "plain")), null, false, false, null));
    }

    @Test
    void nonTextPartsAreRejected() throws IOException {
        ChatPromptRenderer r = renderer("qwen2.5", QWEN_TOKENS);
        PagodaException e = assertThrows(PagodaException.class, () -> r.render(List.of(msg("user",
                List.of(Map.of("type", "image_url", "image_url", Map.of("url", "x"))))), null, true, false, null));
        assertTrue(e.getMessage().contains("image_url"), e.getMessage());
    }

    @Test
    void continueFinalMessageCutsAfterTheAssistantText() throws IOException {
        ChatPromptRenderer r = renderer("qwen2.5", QWEN_TOKENS);
        String out = r.render(List.of(msg("user", "Hi"), msg("assistant", "The answer is")), null, false, true, null);
        assertTrue(out.endsWith("<|im_start|>assistant\nThe answer is"), out);
    }

    @Test
    void continueFinalMessageWithTrimmingTemplateCutsAfterTheStrippedText() throws IOException {
        ChatPromptRenderer r = renderer("llama3.2", Map.of("bos_token", "<|begin_of_text|>"));
        String out = r.render(List.of(msg("user", "Hi"), msg("assistant", "Well, ")), null, false, true,
                Map.of("date_string", "26 Jul 2024"));
        assertTrue(out.endsWith("<|start_header_id|>assistant<|end_header_id|>\n\nWell,"), out);
    }

    @Test
    void continueFinalMessageAndGenerationPromptConflict() throws IOException {
        ChatPromptRenderer r = renderer("qwen2.5", QWEN_TOKENS);
        assertThrows(PagodaException.class, () -> r.render(List.of(msg("user", "Hi")), null, true, true, null));
    }

    @Test
    void toolCallArgumentsGivenAsJsonStringAreDecoded() throws IOException {
        ChatPromptRenderer r = renderer("qwen2.5", QWEN_TOKENS);
        Map<String, Object> asString = msg("assistant", null);
        asString.put("tool_calls", List.of(Map.of("type", "function", "function",
                Map.of("name", "f", "arguments", "{\"city\": \"杭州\", \"days\": 2}"))));
        Map<String, Object> asMap = msg("assistant", null);
        asMap.put("tool_calls", List.of(Map.of("type", "function", "function",
                Map.of("name", "f", "arguments", Map.of("city", "杭州")))));
        String out = r.render(List.of(msg("user", "Weather?"), asString), null, false, false, null);
        assertTrue(out.contains("{\"name\": \"f\", \"arguments\": {\"city\": \"杭州\", \"days\": 2}}"), out);
        assertTrue(r.render(List.of(msg("user", "Weather?"), asMap), null, false, false, null).contains("{\"city\": \"杭州\"}"));
    }

    @Test
    void kwargsReachTheTemplate() throws IOException {
        ChatPromptRenderer r = renderer("qwen3", QWEN_TOKENS);
        String off = r.render(List.of(msg("user", "Hi")), null, true, false, Map.of("enable_thinking", false));
        assertTrue(off.endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n"), off);
        String on = r.render(List.of(msg("user", "Hi")), null, true, false, null);
        assertTrue(on.endsWith("<|im_start|>assistant\n"), on);
        assertThrows(PagodaException.class, () -> r.render(List.of(msg("user", "Hi")), null, true, false, Map.of("messages", List.of())));
    }
}
