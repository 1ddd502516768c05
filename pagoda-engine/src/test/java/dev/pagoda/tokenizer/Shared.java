package dev.pagoda.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** The shared test material: reference tokenizers and their expected outputs. */
final class Shared {
    static final List<String> TOKENIZERS = List.of("qwen3", "qwen2.5", "llama3.2", "mixtral-8x22b-v0.1", "gpt2", "mistral-nemo");
    static final List<String> FIXTURES = List.of("llama-gqa", "llama3-ropescaled", "mistral", "qwen2", "qwen3");

    private Shared() {
    }

    static Path root() {
        String p = System.getProperty("pagoda.shared", "/work/shared");
        return Path.of(p);
    }

    static Path tokenizerDir(String name) {
        return root().resolve("tokenizers").resolve(name);
    }

    static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    static JsonNode referenceCases(String name) {
        return json(root().resolve("reference/tokenizers/" + name + ".json")).path("cases");
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
