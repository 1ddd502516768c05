package dev.pagoda.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The model's {@code generation_config.json}: its EOS ids and the sampling defaults for fields
 * a request leaves unset (vLLM's {@code --generation-config auto}). Null fields are absent.
 */
public record GenerationConfig(Set<Integer> eosTokenIds, Double temperature, Integer topK, Double topP,
                               Double minP, Double repetitionPenalty) {
    public static final GenerationConfig EMPTY = new GenerationConfig(Set.of(), null, null, null, null, null);

    /** Only the EOS ids of {@code g}: {@code --generation-config vllm} ignores the model's sampling defaults. */
    public GenerationConfig withEos(GenerationConfig g) {
        return new GenerationConfig(g.eosTokenIds, temperature, topK, topP, minP, repetitionPenalty);
    }

    /** Reads {@code dir/generation_config.json}, or returns {@link #EMPTY} when there is none. */
    public static GenerationConfig read(Path dir) {
        Path file = dir.resolve("generation_config.json");
        if (!Files.isRegularFile(file)) return EMPTY;
        JsonNode g = HfConfigReader.readJson(file);
        Set<Integer> eos = new LinkedHashSet<>();
        JsonNode e = g.get("eos_token_id");
        if (e != null && e.isArray()) e.forEach(n -> eos.add(n.asInt()));
        else if (e != null && e.canConvertToInt()) eos.add(e.asInt());
        return new GenerationConfig(Set.copyOf(eos),
                g.hasNonNull("temperature") ? g.get("temperature").asDouble() : null,
                g.hasNonNull("top_k") ? g.get("top_k").asInt() : null,
                g.hasNonNull("top_p") ? g.get("top_p").asDouble() : null,
                g.hasNonNull("min_p") ? g.get("min_p").asDouble() : null,
                g.hasNonNull("repetition_penalty") ? g.get("repetition_penalty").asDouble() : null);
    }
}
