package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateCommandTest {
    static final String GREEDY_48 = ", there was a little girl named Lily. She loved to play outside in the park. One day, "
            + "she saw a big, red ball. She wanted to play with it,";

    @Test
    void textOutputWithTheBundledModel() {
        CliTestSupport.Result r = CliTestSupport.run("generate", "--prompt", "Once upon a time", "--max-tokens", "48", "--temperature", "0");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(GREEDY_48, r.out().strip());
        assertTrue(r.err().matches("(?s).*prompt: 5 tokens, [0-9.]+ tokens/s \\| generated: 48 tokens, [0-9.]+ tokens/s.*"), r.err());
    }

    @Test
    void jsonOutputIsARequestOutput() throws Exception {
        CliTestSupport.Result r = CliTestSupport.run("generate", "--prompt-token-ids", "1,403,407,261,378", "--max-tokens", "4",
                "--temperature", "0", "--logprobs", "2", "--output", "json");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().strip().split("\n");
        JsonNode j = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertEquals("[1,403,407,261,378]", j.path("prompt_token_ids").toString());
        JsonNode o = j.path("outputs").get(0);
        assertEquals("[432,383,286,261]", o.path("token_ids").toString());
        assertEquals(", there was a", o.path("text").asText());
        assertEquals("length", o.path("finish_reason").asText());
        assertEquals(4, o.path("logprobs").size());
        assertEquals(1, o.path("logprobs").get(0).path("432").path("rank").asInt());
        assertTrue(j.path("metrics").path("first_token_time").asDouble() > 0);
    }

    @Test
    void jsonOutputCarriesPromptLogprobs() throws Exception {
        CliTestSupport.Result r = CliTestSupport.run("generate", "--prompt-token-ids", "1,403,407,261,378", "--max-tokens", "1",
                "--temperature", "0", "--prompt-logprobs", "1", "--output", "json");
        assertEquals(0, r.exitCode(), r.err());
        String[] lines = r.out().strip().split("\n");
        JsonNode pl = new ObjectMapper().readTree(lines[lines.length - 1]).path("prompt_logprobs");
        assertEquals(5, pl.size(), pl.toString());
        assertTrue(pl.get(0).isNull(), "the first prompt token has no logprob");
        for (int i = 1; i < 5; i++) {
            String token = Integer.toString(new int[]{1, 403, 407, 261, 378}[i]);
            assertTrue(pl.get(i).path(token).path("logprob").asDouble() < 0, pl.get(i).toString());
            assertTrue(pl.get(i).size() <= 2, "the prompt token plus the top 1");
        }
    }

    @Test
    void badArgumentsAreOneClearLine() {
        CliTestSupport.Result r = CliTestSupport.run("generate", "--prompt", "x", "--max-tokens", "many");
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("--max-tokens must be an integer, got 'many'"), r.err());
        r = CliTestSupport.run("generate", "--prompt", "x", "--frobnicate", "3");
        assertTrue(r.err().contains("unknown flag '--frobnicate'"), r.err());
        r = CliTestSupport.run("generate", "--prompt", "x", "--model", "/nonexistent/model");
        assertTrue(r.err().contains("/nonexistent/model: no such file or directory"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace without --debug");
    }

    @Test
    void withoutTheVectorModuleTheFlagsAreNamed() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dpagoda.home=" + CliTestSupport.repoRoot(), "dev.pagoda.cli.Main", "generate", "--prompt", "hi");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.waitFor(), output);
        assertTrue(output.contains("--add-modules jdk.incubator.vector"), output);
    }
}
