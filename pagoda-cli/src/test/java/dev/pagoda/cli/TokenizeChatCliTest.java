package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code pagoda tokenize --messages} reproduces every chat-template reference: the rendered
 * prompt byte for byte and its ids, or the template's error message.
 */
class TokenizeChatCliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> SPECIAL = Set.of("bos_token", "eos_token", "unk_token", "pad_token");
    @TempDir
    static Path tmp;

    @TestFactory
    List<DynamicTest> chatTemplateReferences() throws Exception {
        Path shared = Path.of(System.getProperty("pagoda.shared"));
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : List.of("qwen3", "qwen2.5", "llama3.2", "mistral-nemo")) {
            JsonNode ref = JSON.readTree(shared.resolve("reference/chat_templates/" + name + ".json").toFile());
            for (JsonNode c : ref.path("cases")) {
                tests.add(DynamicTest.dynamicTest(name + " " + c.path("id").asText(), () -> check(shared.resolve("tokenizers/" + name), c)));
            }
        }
        return tests;
    }

    static void check(Path tokenizer, JsonNode c) throws Exception {
        // The request file: messages, tools, add_generation_prompt, and every other context variable
        // (except the tokenizer's special tokens, which come from tokenizer_config.json) as kwargs.
        JsonNode ctx = c.path("context");
        ObjectNode request = JSON.createObjectNode();
        ObjectNode kwargs = request.putObject("chat_template_kwargs");
        for (Iterator<String> it = ctx.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            switch (key) {
                case "messages", "tools", "add_generation_prompt" -> request.set(key, ctx.get(key));
                default -> {
                    if (!SPECIAL.contains(key)) kwargs.set(key, ctx.get(key));
                }
            }
        }
        Path file = tmp.resolve(c.path("id").asText() + "-" + tokenizer.getFileName() + ".json");
        Files.writeString(file, JSON.writeValueAsString(request));
        CliTestSupport.Result r = CliTestSupport.run("tokenize", "--tokenizer", tokenizer.toString(), "--messages", file.toString(),
                "--output", "json");
        if (c.has("error")) {
            assertEquals(1, r.exitCode());
            assertTrue(r.err().contains(c.path("error").asText()), r.err());
            return;
        }
        assertEquals(0, r.exitCode(), r.err());
        JsonNode out = JSON.readTree(r.out());
        assertEquals(c.path("rendered").asText(), out.path("prompt").asText());
        assertEquals(c.path("prompt_ids").toString(), out.path("tokens").toString());
        assertEquals(c.path("prompt_ids").size(), out.path("count").asInt());
    }
}
