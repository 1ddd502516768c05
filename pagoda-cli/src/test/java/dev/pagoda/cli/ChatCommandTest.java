package dev.pagoda.cli;

import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.LLM;
import dev.pagoda.engine.Prompt;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.tokenizer.template.ChatPromptRenderer;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A two-turn conversation with the qwen2 fixture: each streamed reply equals a direct greedy generation. */
class ChatCommandTest {
    @Test
    void streamsRepliesWithTheTemplate() throws Exception {
        EngineArgs args = new EngineArgs().model(Path.of(System.getProperty("pagoda.shared"), "models/fixtures/qwen2/hf"));
        args.kvCacheMemory = 8L << 20;
        args.maxNumSeqs = 1;
        args.blockSize = 16;
        try (LLM llm = new LLM(args)) {
            ChatPromptRenderer renderer = new ChatPromptRenderer(llm.tokenizer().chatTemplate().orElseThrow(),
                    llm.tokenizer().specialTokenStrings());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ChatCommand.converse(llm, renderer, "Be brief.", 12, SamplingParams.builder().temperature(0.0),
                    new BufferedReader(new StringReader("Hello there\n/reset\nHello there\n")),
                    new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String transcript = bytes.toString(StandardCharsets.UTF_8);

            String prompt = renderer.render(List.of(Map.of("role", "system", "content", "Be brief."),
                    Map.of("role", "user", "content", "Hello there")), null, true, false, null);
            assertTrue(prompt.endsWith("<|im_start|>assistant\n"), prompt);
            String expected = llm.generatePrompts(List.of(Prompt.tokens(llm.tokenizer().encode(prompt, false))),
                    SamplingParams.builder().temperature(0.0).maxTokens(12).build()).getFirst().outputs().getFirst().text();
            // /reset makes the second turn identical to the first
            assertEquals("> " + expected + "\n> > " + expected + "\n> ", transcript);
        }
    }
}
