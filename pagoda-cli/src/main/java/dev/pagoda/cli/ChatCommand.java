package dev.pagoda.cli;

import dev.pagoda.PagodaException;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.LLM;
import dev.pagoda.engine.Prompt;
import dev.pagoda.engine.RequestOutput;
import dev.pagoda.sampling.SamplingParams;
import dev.pagoda.tokenizer.template.ChatPromptRenderer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code pagoda chat}: an interactive conversation using the model's chat template, the reply
 * streamed as it is generated. {@code /reset} starts over; {@code /exit} or end of input quits.
 */
final class ChatCommand implements Command {
    private static final String USAGE = """
            usage: pagoda chat [--model PATH] [--system TEXT] [--chat-template FILE]
                               [--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [engine flags]
              Reads one user message per line; /reset clears the conversation, /exit (or end of input) quits.
              --max-tokens defaults to the rest of the context, as vLLM's chat endpoint does.""";

    @Override
    public String summary() {
        return "chat interactively with a model (its chat template, streamed replies)";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = CliArgs.parse(argv, USAGE);
        if (a == null) return 0; // --help printed the usage
        String system = a.take("--system");
        String templateFile = a.take("--chat-template");
        Integer maxTokens = a.takeInt("--max-tokens");
        SamplingParams.Builder sampling = SamplingParams.builder()
                .temperature(a.takeDouble("--temperature"))
                .topK(a.takeInt("--top-k"))
                .topP(a.takeDouble("--top-p"))
                .seed(a.takeLong("--seed"));
        EngineArgs engineArgs = new EngineArgs();
        engineArgs.maxNumSeqs = 1;
        a.applyEngineFlags(engineArgs);
        try (LLM llm = new LLM(engineArgs)) {
            String template = templateFile != null ? Files.readString(Path.of(templateFile))
                    : llm.tokenizer().chatTemplate().orElseThrow(() -> new PagodaException(
                    "the model has no chat template; give one with --chat-template FILE"));
            ChatPromptRenderer renderer = new ChatPromptRenderer(template, llm.tokenizer().specialTokenStrings());
            converse(llm, renderer, system, maxTokens, sampling,
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), System.out);
        }
        return 0;
    }

    static void converse(LLM llm, ChatPromptRenderer renderer, String system, Integer maxTokens, SamplingParams.Builder sampling,
                         BufferedReader in, PrintStream out) throws Exception {
        List<Map<String, ?>> messages = new ArrayList<>();
        if (system != null) messages.add(Map.of("role", "system", "content", system));
        int initial = messages.size();
        while (true) {
            out.print("> ");
            out.flush();
            String line = in.readLine();
            if (line == null || line.strip().equals("/exit")) break;
            if (line.strip().equals("/reset")) {
                messages.subList(initial, messages.size()).clear();
                continue;
            }
            if (line.isBlank()) continue;
            messages.add(Map.of("role", "user", "content", line));
            String prompt = renderer.render(messages, null, true, false, null);
            int[] ids = llm.tokenizer().encode(prompt, false); // the template writes BOS itself
            int room = llm.maxModelLen() - ids.length;
            if (room < 1) {
                out.println("[the conversation no longer fits the context (" + llm.maxModelLen() + " tokens): /reset]");
                messages.removeLast();
                continue;
            }
            SamplingParams params = sampling.maxTokens(maxTokens != null ? Math.min(maxTokens, room) : room).build();
            int[] printed = {0};
            RequestOutput reply = llm.generate(Prompt.tokens(ids), params, progress -> {
                String text = progress.outputs().getFirst().text();
                out.print(text.substring(printed[0]));
                out.flush();
                printed[0] = text.length();
            });
            out.println();
            messages.add(Map.of("role", "assistant", "content", reply.outputs().getFirst().text()));
        }
    }
}
