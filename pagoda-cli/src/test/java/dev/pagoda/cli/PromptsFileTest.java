package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptsFileTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    @Test
    void batchedFileGivesOneOutputPerLineInOrder() throws Exception {
        Path file = tmp.resolve("p.jsonl");
        Files.writeString(file, """
                {"prompt": "Once upon a time", "max_tokens": 8}
                {"prompt_token_ids": [1, 403, 407, 261, 378], "max_tokens": 4, "logprobs": 1}

                {"prompt": "Lily", "max_tokens": 6, "temperature": 0.8, "seed": 3}
                """);
        CliTestSupport.Result r = CliTestSupport.run("generate", "--prompts-file", file.toString(), "--temperature", "0",
                "--kv-cache-memory", "8MiB");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(3, lines.length);
        JsonNode first = JSON.readTree(lines[0]), second = JSON.readTree(lines[1]), third = JSON.readTree(lines[2]);
        assertEquals("[432,383,286,261,376,298,315,421]", first.path("outputs").get(0).path("token_ids").toString());
        assertEquals("[432,383,286,261]", second.path("outputs").get(0).path("token_ids").toString());
        assertEquals(4, second.path("outputs").get(0).path("logprobs").size());
        assertEquals(6, third.path("outputs").get(0).path("token_ids").size());
        // the sampled line is reproducible on its own
        Path single = tmp.resolve("s.jsonl");
        Files.writeString(single, "{\"prompt\": \"Lily\", \"max_tokens\": 6, \"temperature\": 0.8, \"seed\": 3}\n");
        CliTestSupport.Result alone = CliTestSupport.run("generate", "--prompts-file", single.toString(), "--kv-cache-memory", "8MiB");
        assertEquals(third.path("outputs").get(0).path("token_ids"), JSON.readTree(alone.out().strip()).path("outputs").get(0).path("token_ids"));
    }

    @Test
    void aBadLineIsNamed() throws Exception {
        Path file = tmp.resolve("bad.jsonl");
        Files.writeString(file, "{\"prompt\": \"ok\"}\n{\"prompt\": \"x\", \"top_p\": 0}\n");
        CliTestSupport.Result r = CliTestSupport.run("generate", "--prompts-file", file.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("bad.jsonl line 2: top_p must be in (0, 1], got 0.0."), r.err());
        Files.writeString(file, "{\"prompt\": \"ok\", \"frequency\": 1}\n");
        r = CliTestSupport.run("generate", "--prompts-file", file.toString());
        assertTrue(r.err().contains("line 1: unknown field 'frequency'"), r.err());
    }
}
