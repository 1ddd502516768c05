package dev.pagoda.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.engine.Prompt;
import dev.pagoda.sampling.SamplingParams;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A JSON-lines batch of prompts for {@code pagoda generate --prompts-file}: per line
 * {@code {"prompt": "..."}} or {@code {"prompt_token_ids": [...]}}, plus optional sampling
 * fields with vLLM's names that override the command-line defaults for that line.
 */
record PromptsFile(List<Prompt> prompts, List<SamplingParams> params) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("prompt", "prompt_token_ids", "max_tokens", "temperature", "top_p", "top_k",
            "min_p", "seed", "n", "stop_token_ids", "ignore_eos", "logprobs", "prompt_logprobs");

    static PromptsFile read(Path file, SamplingParams defaults) throws IOException {
        List<Prompt> prompts = new ArrayList<>();
        List<SamplingParams> params = new ArrayList<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            String where = file + " line " + (i + 1);
            JsonNode line;
            try {
                line = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            }
            if (!line.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object");
            line.fieldNames().forEachRemaining(f -> {
                if (!FIELDS.contains(f)) throw new IllegalArgumentException(where + ": unknown field '" + f + "'");
            });
            prompts.add(prompt(where, line));
            params.add(params(where, line, defaults));
        }
        if (prompts.isEmpty()) throw new IllegalArgumentException(file + ": no prompts");
        return new PromptsFile(prompts, params);
    }

    private static Prompt prompt(String where, JsonNode line) {
        JsonNode text = line.get("prompt"), ids = line.get("prompt_token_ids");
        if ((text == null) == (ids == null)) throw new IllegalArgumentException(where + ": give exactly one of 'prompt' and 'prompt_token_ids'");
        if (text != null) {
            if (!text.isTextual()) throw new IllegalArgumentException(where + ": 'prompt' must be a string");
            return Prompt.text(text.asText());
        }
        if (!ids.isArray()) throw new IllegalArgumentException(where + ": 'prompt_token_ids' must be a list of integers");
        int[] tokens = new int[ids.size()];
        for (int j = 0; j < tokens.length; j++) {
            if (!ids.get(j).canConvertToInt()) throw new IllegalArgumentException(where + ": 'prompt_token_ids' must be a list of integers");
            tokens[j] = ids.get(j).asInt();
        }
        return Prompt.tokens(tokens);
    }

    private static SamplingParams params(String where, JsonNode line, SamplingParams d) {
        try {
            List<Integer> stopIds = d.stopTokenIds();
            if (line.has("stop_token_ids")) {
                stopIds = new ArrayList<>();
                for (JsonNode id : line.get("stop_token_ids")) stopIds.add(id.asInt());
            }
            return SamplingParams.builder()
                    .n(line.has("n") ? line.get("n").asInt() : d.n())
                    .maxTokens(line.has("max_tokens") ? (Integer) line.get("max_tokens").asInt() : d.maxTokens())
                    .temperature(line.has("temperature") ? (Double) line.get("temperature").asDouble() : d.temperature())
                    .topP(line.has("top_p") ? (Double) line.get("top_p").asDouble() : d.topP())
                    .topK(line.has("top_k") ? (Integer) line.get("top_k").asInt() : d.topK())
                    .minP(line.has("min_p") ? (Double) line.get("min_p").asDouble() : d.minP())
                    .seed(line.has("seed") ? (Long) line.get("seed").asLong() : d.seed())
                    .stopTokenIds(stopIds)
                    .ignoreEos(line.has("ignore_eos") ? line.get("ignore_eos").asBoolean() : d.ignoreEos())
                    .logprobs(line.has("logprobs") ? (Integer) line.get("logprobs").asInt() : d.logprobs())
                    .promptLogprobs(line.has("prompt_logprobs") ? (Integer) line.get("prompt_logprobs").asInt() : d.promptLogprobs())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }
}
