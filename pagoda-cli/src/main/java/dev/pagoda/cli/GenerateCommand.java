package dev.pagoda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.config.EngineArgs;
import dev.pagoda.engine.LLM;
import dev.pagoda.engine.Prompt;
import dev.pagoda.engine.RequestMetrics;
import dev.pagoda.engine.RequestOutput;
import dev.pagoda.sampling.SamplingParams;

import java.nio.file.Path;
import java.util.List;

/** {@code pagoda generate}: one prompt through the offline engine, printed as text or JSON. */
final class GenerateCommand implements Command {
    private static final String USAGE = """
            usage: pagoda generate [--model PATH] (--prompt TEXT | --prompt-token-ids 1,2,3 | --prompts-file FILE)
                                   [--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--min-p P]
                                   [--seed S] [--logprobs N] [--prompt-logprobs N] [--ignore-eos] [--stop-token-ids 1,2]
                                   [--output text|json] [engine flags: --dtype, --max-model-len, ...]
              --model defaults to the bundled stories260K; unset sampling fields default to the
              model's generation_config.json, then vLLM's defaults (max-tokens 16, temperature 1).
              text output: the completion, then one timing line on stderr; json: the RequestOutput.
              --prompts-file: one JSON object per line, {"prompt": "..."} or {"prompt_token_ids": [...]}, with
              optional sampling fields (max_tokens, temperature, top_p, top_k, min_p, seed, n, stop_token_ids,
              ignore_eos, logprobs, prompt_logprobs) overriding the flags; all are batched together and one RequestOutput
              JSON per line is printed, in input order.""";

    @Override
    public String summary() {
        return "generate a completion for one prompt (offline engine)";
    }

    @Override
    public int run(String[] argv) throws Exception {
        CliArgs a = CliArgs.parse(argv, USAGE, "--ignore-eos");
        if (a == null) return 0; // --help printed the usage
        String promptText = a.take("--prompt");
        int[] promptIds = a.takeIntList("--prompt-token-ids");
        String promptsFile = a.take("--prompts-file");
        if ((promptText != null ? 1 : 0) + (promptIds != null ? 1 : 0) + (promptsFile != null ? 1 : 0) != 1) {
            throw new IllegalArgumentException("give exactly one of --prompt, --prompt-token-ids or --prompts-file\n" + USAGE);
        }
        SamplingParams params = SamplingParams.builder()
                .maxTokens(a.takeInt("--max-tokens"))
                .temperature(a.takeDouble("--temperature"))
                .topK(a.takeInt("--top-k"))
                .topP(a.takeDouble("--top-p"))
                .minP(a.takeDouble("--min-p"))
                .seed(a.takeLong("--seed"))
                .logprobs(a.takeInt("--logprobs"))
                .promptLogprobs(a.takeInt("--prompt-logprobs"))
                .ignoreEos(a.takeSwitch("--ignore-eos"))
                .stopTokenIds(intList(a.takeIntList("--stop-token-ids")))
                .build();
        String output = a.take("--output");
        if (output == null) output = "text";
        if (!output.equals("text") && !output.equals("json")) {
            throw new IllegalArgumentException("--output must be text or json, got '" + output + "'");
        }
        EngineArgs engineArgs = new EngineArgs();
        if (promptsFile == null) engineArgs.maxNumSeqs = 1; // one prompt: size the KV pool and workspace for one sequence
        a.applyEngineFlags(engineArgs);
        if (promptsFile != null) {
            PromptsFile file = PromptsFile.read(Path.of(promptsFile), params);
            try (LLM llm = new LLM(engineArgs)) {
                ObjectMapper json = new ObjectMapper();
                for (RequestOutput out : llm.generatePrompts(file.prompts(), file.params())) {
                    System.out.println(json.writeValueAsString(RequestOutputJson.of(out)));
                }
            }
            return 0;
        }
        try (LLM llm = new LLM(engineArgs)) {
            Prompt prompt = promptText != null ? Prompt.text(promptText) : Prompt.tokens(promptIds);
            RequestOutput out = llm.generatePrompts(List.of(prompt), params).getFirst();
            if (out.error() != null) throw new IllegalStateException("generation failed: " + out.error());
            if (output.equals("json")) {
                System.out.println(new ObjectMapper().writeValueAsString(RequestOutputJson.of(out)));
            } else {
                System.out.println(out.outputs().getFirst().text());
                System.err.println(timingLine(out));
            }
        }
        return 0;
    }

    private static List<Integer> intList(int[] ids) {
        return ids == null ? List.of() : java.util.Arrays.stream(ids).boxed().toList();
    }

    /** Prompt tokens/s over the time to the first token; generated tokens/s over the decode steps after it. */
    static String timingLine(RequestOutput out) {
        RequestMetrics m = out.metrics();
        int promptTokens = out.promptTokenIds().length;
        int generated = out.outputs().getFirst().tokenIds().length;
        double prefill = m.firstTokenTime() - m.firstScheduledTime();
        double decode = m.lastTokenTime() - m.firstTokenTime();
        return String.format("prompt: %d tokens, %.1f tokens/s | generated: %d tokens, %.1f tokens/s | total %.3f s",
                promptTokens, promptTokens / prefill, generated, generated > 1 ? (generated - 1) / decode : Double.NaN,
                m.finishedTime() - m.arrivalTime());
    }
}
