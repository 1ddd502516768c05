package dev.pagoda.cli.latency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.pagoda.PagodaException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One benchmark scenario: {@code batch} copies of a prompt, each generating exactly
 * {@code outputTokens} tokens (ignore_eos).
 *
 * @param name        a short id (used in the chart)
 * @param description what it measures
 */
public record Scenario(String name, String description, String prompt, int outputTokens, int batch) {
    private static final String TRANSLATE = "Translate to German: 'The weather is beautiful today.'";

    public Scenario {
        if (outputTokens < 2) throw new IllegalArgumentException("scenario '" + name + "': output_tokens must be at least 2 (TPOT needs two tokens)");
        if (batch < 1) throw new IllegalArgumentException("scenario '" + name + "': batch must be at least 1");
        if (prompt == null || prompt.isEmpty()) throw new IllegalArgumentException("scenario '" + name + "': prompt is empty");
    }

    /** The six scenarios of the deployment guides. */
    public static List<Scenario> defaults() {
        return List.of(
                new Scenario("ttft_short", "TTFT, short input", "What is the capital of China?", 128, 1),
                new Scenario("ttft_long", "TTFT, long input", "Please write a detailed explanation of how Large Language Models work, "
                        + "including the transformer architecture, attention mechanism, and training process.", 128, 1),
                new Scenario("decode_long", "decode throughput, long output", "Write a short story about a robot exploring a new planet.", 512, 1),
                new Scenario("batch_4", "batch 4", TRANSLATE, 128, 4),
                new Scenario("batch_8", "batch 8", TRANSLATE, 128, 8),
                new Scenario("long_context", "long context", "The history of the world is a long and complex story. ".repeat(50), 128, 1));
    }

    /** With every output length capped at {@code max} (a quick configuration). */
    public Scenario capOutput(int max) {
        return new Scenario(name, description, prompt, Math.min(outputTokens, max), batch);
    }

    /**
     * Reads scenarios from a JSON or YAML file (by extension): a list, or an object with
     * {@code scenarios}, of {@code {name, description?, prompt, repeat?, output_tokens, batch?}};
     * {@code repeat} concatenates the prompt that many times.
     */
    public static List<Scenario> read(Path file) {
        String f = file.getFileName().toString();
        ObjectMapper mapper = f.endsWith(".yaml") || f.endsWith(".yml") ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper();
        JsonNode root;
        try {
            root = mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new PagodaException(file + ": cannot read scenarios: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        JsonNode list = root != null && root.isObject() ? root.path("scenarios") : root;
        if (list == null || !list.isArray() || list.isEmpty()) throw new PagodaException(file + ": expected a non-empty list of scenarios");
        List<Scenario> out = new ArrayList<>();
        Set<String> known = Set.of("name", "description", "prompt", "repeat", "output_tokens", "batch");
        for (JsonNode s : list) {
            s.fieldNames().forEachRemaining(k -> {
                if (!known.contains(k)) throw new PagodaException(file + ": unknown scenario key '" + k + "' (known: " + known + ")");
            });
            String name = s.path("name").asText("");
            if (name.isEmpty()) throw new PagodaException(file + ": a scenario has no name");
            if (!s.path("output_tokens").canConvertToInt()) throw new PagodaException(file + ": scenario '" + name + "' needs output_tokens");
            try {
                out.add(new Scenario(name, s.path("description").asText(name), s.path("prompt").asText("").repeat(s.path("repeat").asInt(1)),
                        s.get("output_tokens").asInt(), s.path("batch").asInt(1)));
            } catch (IllegalArgumentException e) {
                throw new PagodaException(file + ": " + e.getMessage());
            }
        }
        return out;
    }
}
