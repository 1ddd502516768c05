package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `pagoda tokenize` / `pagoda detokenize` reproduce the shared reference tokenizations. */
class TokenizeCommandTest {
    private static final Path SHARED = Path.of(System.getProperty("pagoda.shared", "/work/shared"));
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static JsonNode referenceCase(String tokenizer, String id) throws Exception {
        for (JsonNode c : JSON.readTree(SHARED.resolve("reference/tokenizers/" + tokenizer + ".json").toFile()).path("cases")) {
            if (c.path("id").asText().equals(id)) return c;
        }
        throw new AssertionError("no case " + id);
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    @Test
    void tokenizeMatchesReference() throws Exception {
        JsonNode c = referenceCase("llama3.2", "code_python");
        String dir = SHARED.resolve("tokenizers/llama3.2").toString();
        Result withSpecial = run("tokenize", "--tokenizer", dir, "--text", c.path("text").asText(), "--output", "json");
        assertEquals(0, withSpecial.exitCode(), withSpecial.err());
        JsonNode json = JSON.readTree(withSpecial.out());
        assertEquals(ints(c.path("ids_with_special")), ints(json.path("tokens")));
        assertEquals(c.path("ids_with_special").size(), json.path("count").asInt());

        Result plain = run("tokenize", "--tokenizer", dir, "--text", c.path("text").asText(), "--no-special", "--output", "json");
        assertEquals(ints(c.path("ids")), ints(JSON.readTree(plain.out()).path("tokens")));
    }

    @Test
    void tokenizeGgufModel() throws Exception {
        Result r = run("tokenize", "--model", SHARED.resolve("models/stories260K/stories260K.gguf").toString(),
                "--text", "Once upon a time", "--output", "json");
        assertEquals(List.of(1, 403, 407, 261, 378), ints(JSON.readTree(r.out()).path("tokens")));
    }

    @Test
    void detokenizeMatchesReference() throws Exception {
        JsonNode c = referenceCase("mixtral-8x22b-v0.1", "emoji_zwj_family");
        String ids = ints(c.path("ids_with_special")).stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElseThrow();
        String dir = SHARED.resolve("tokenizers/mixtral-8x22b-v0.1").toString();
        Result keep = run("detokenize", "--tokenizer", dir, "--tokens", ids, "--output", "json");
        assertEquals(c.path("decoded_with_special_keep").asText(), JSON.readTree(keep.out()).path("text").asText());
        Result skip = run("detokenize", "--tokenizer", dir, "--tokens", ids, "--skip-special");
        assertEquals(c.path("decoded_with_special_skip").asText() + System.lineSeparator(), skip.out());
    }

    @Test
    void argumentErrorsAreClear() {
        Result noText = run("tokenize", "--tokenizer", SHARED.resolve("tokenizers/gpt2").toString());
        assertEquals(1, noText.exitCode());
        assertTrue(noText.err().contains("give exactly one of --text and --messages"), noText.err());

        Result badId = run("detokenize", "--tokenizer", SHARED.resolve("tokenizers/gpt2").toString(), "--tokens", "1,x");
        assertTrue(badId.err().contains("--tokens must be comma-separated integers, got '1,x'"), badId.err());

        String oldHome = System.getProperty("pagoda.home");
        System.setProperty("pagoda.home", "/nonexistent");
        try {
            Result noModel = run("tokenize", "--text", "hi");
            assertEquals(1, noModel.exitCode());
            assertTrue(noModel.err().contains("the bundled model is not at /nonexistent/models/stories260K/stories260K.gguf"), noModel.err());
        } finally {
            if (oldHome == null) System.clearProperty("pagoda.home");
            else System.setProperty("pagoda.home", oldHome);
        }
    }
}
