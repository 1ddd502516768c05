package dev.pagoda.model.loader;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pagoda.PagodaException;
import dev.pagoda.config.GenerationConfig;
import dev.pagoda.config.GgufConfigReader;
import dev.pagoda.config.HfConfigReader;
import dev.pagoda.config.ModelConfig;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A model checkpoint opened for inference: a Hugging Face directory (config.json + safetensors,
 * single or sharded) or a GGUF file. Tensors are memory-mapped and named with Hugging Face names
 * whatever the format, so the model code sees one naming scheme.
 */
public final class Checkpoint implements AutoCloseable {
    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(.+)");
    private static final Map<String, String> GGUF_LAYER_NAMES = Map.ofEntries(
            Map.entry("attn_norm.weight", "input_layernorm.weight"),
            Map.entry("attn_q.weight", "self_attn.q_proj.weight"),
            Map.entry("attn_k.weight", "self_attn.k_proj.weight"),
            Map.entry("attn_v.weight", "self_attn.v_proj.weight"),
            Map.entry("attn_q.bias", "self_attn.q_proj.bias"),
            Map.entry("attn_k.bias", "self_attn.k_proj.bias"),
            Map.entry("attn_v.bias", "self_attn.v_proj.bias"),
            Map.entry("attn_output.weight", "self_attn.o_proj.weight"),
            Map.entry("attn_q_norm.weight", "self_attn.q_norm.weight"),
            Map.entry("attn_k_norm.weight", "self_attn.k_norm.weight"),
            Map.entry("ffn_norm.weight", "post_attention_layernorm.weight"),
            Map.entry("ffn_gate.weight", "mlp.gate_proj.weight"),
            Map.entry("ffn_up.weight", "mlp.up_proj.weight"),
            Map.entry("ffn_down.weight", "mlp.down_proj.weight"));

    private final Path source;
    private final ModelConfig config;
    private final Map<String, TensorData> tensors;
    private final GenerationConfig generationConfig;
    private final GgufFile gguf;
    private final Arena arena;

    private Checkpoint(Path source, ModelConfig config, Map<String, TensorData> tensors,
                       GenerationConfig generationConfig, GgufFile gguf, Arena arena) {
        this.source = source;
        this.config = config;
        this.tensors = tensors;
        this.generationConfig = generationConfig;
        this.gguf = gguf;
        this.arena = arena;
    }

    /** Opens a HF model directory, a {@code .gguf} file, or a directory holding exactly one {@code .gguf}. */
    public static Checkpoint open(Path path) {
        if (!Files.exists(path)) throw new PagodaException(path + ": no such file or directory");
        if (Files.isRegularFile(path)) return openGguf(path);
        if (Files.isRegularFile(path.resolve("config.json"))) return openHf(path);
        List<Path> ggufs;
        try (Stream<Path> s = Files.list(path)) {
            ggufs = s.filter(p -> p.getFileName().toString().endsWith(".gguf")).toList();
        } catch (IOException e) {
            throw new PagodaException(path + ": cannot list directory: " + e.getMessage(), e);
        }
        if (ggufs.size() == 1) return openGguf(ggufs.getFirst());
        throw new PagodaException(path + ": missing config.json (not a Hugging Face model directory)"
                + (ggufs.isEmpty() ? " and no .gguf file" : " and " + ggufs.size() + " .gguf files: name one"));
    }

    private static Checkpoint openGguf(Path file) {
        GgufFile gguf = GgufFile.open(file);
        try {
            ModelConfig config = GgufConfigReader.read(gguf);
            Map<String, TensorData> named = new LinkedHashMap<>();
            for (TensorData t : gguf.tensors().values()) {
                String hfName = hfName(t.name());
                named.put(hfName, new TensorData(hfName, t.type(), t.shape(), t.data()));
            }
            TensorData freqs = named.remove("rope_freqs.weight");
            if (freqs != null) {
                if (freqs.type() != DType.F32 || freqs.elementCount() != config.headDim() / 2) {
                    throw new PagodaException(file + ": tensor 'rope_freqs.weight' must be F32 with "
                            + config.headDim() / 2 + " values, got " + freqs.type() + " " + freqs.shapeString());
                }
                config = config.withRopeFreqFactors(freqs.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
            }
            GenerationConfig gen = new GenerationConfig(ggufEosIds(gguf.metadata()), null, null, null, null, null);
            return new Checkpoint(file, config, Collections.unmodifiableMap(named), gen, gguf, null);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    /** GGUF's stop set: EOS ∪ EOT ∪ EOM, as llama.cpp treats end-of-generation tokens. */
    private static java.util.Set<Integer> ggufEosIds(Map<String, Object> md) {
        java.util.Set<Integer> ids = new java.util.LinkedHashSet<>();
        for (String k : List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
            if (md.get(k) instanceof Long id && id >= 0 && id < Integer.MAX_VALUE) ids.add(id.intValue());
        }
        return java.util.Set.copyOf(ids);
    }

    private static String hfName(String ggufName) {
        switch (ggufName) {
            case "token_embd.weight": return "model.embed_tokens.weight";
            case "output_norm.weight": return "model.norm.weight";
            case "output.weight": return "lm_head.weight";
            default:
        }
        Matcher m = GGUF_LAYER.matcher(ggufName);
        if (m.matches() && GGUF_LAYER_NAMES.containsKey(m.group(2))) {
            return "model.layers." + m.group(1) + "." + GGUF_LAYER_NAMES.get(m.group(2));
        }
        return ggufName;
    }

    private static Checkpoint openHf(Path dir) {
        ModelConfig config = HfConfigReader.read(dir.resolve("config.json"));
        Arena arena = Arena.ofShared();
        try {
            Map<String, TensorData> tensors = new LinkedHashMap<>();
            Path index = dir.resolve("model.safetensors.index.json");
            if (Files.isRegularFile(index)) {
                JsonNode map = HfConfigReader.readJson(index).path("weight_map");
                if (!map.isObject() || map.isEmpty()) throw new PagodaException(index + ": missing 'weight_map'");
                Map<String, String> fileOf = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                    var e = it.next();
                    fileOf.put(e.getKey(), e.getValue().asText());
                }
                for (String shard : new TreeSet<>(fileOf.values())) {
                    Path shardPath = dir.resolve(shard);
                    if (!Files.isRegularFile(shardPath)) throw new PagodaException(index + ": names shard '" + shard + "', which is missing");
                    SafetensorsFile.open(shardPath, arena).tensors().forEach((name, t) -> {
                        if (!shard.equals(fileOf.get(name))) {
                            throw new PagodaException(shardPath + ": holds tensor '" + name + "', which the index maps to '"
                                    + fileOf.get(name) + "'");
                        }
                        tensors.put(name, t);
                    });
                }
                for (String name : fileOf.keySet()) {
                    if (!tensors.containsKey(name)) throw new PagodaException(index + ": tensor '" + name + "' is missing from shard '" + fileOf.get(name) + "'");
                }
            } else if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
                tensors.putAll(SafetensorsFile.open(dir.resolve("model.safetensors"), arena).tensors());
            } else {
                throw new PagodaException(dir + ": missing model.safetensors (or model.safetensors.index.json for a sharded "
                        + "checkpoint); PyTorch .bin checkpoints are not supported");
            }
            return new Checkpoint(dir, config, Collections.unmodifiableMap(tensors), GenerationConfig.read(dir), null, arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path source() {
        return source;
    }

    public ModelConfig config() {
        return config;
    }

    /** Tensors by Hugging Face name. */
    public Map<String, TensorData> tensors() {
        return tensors;
    }

    public GenerationConfig generationConfig() {
        return generationConfig;
    }

    /** The GGUF file when the checkpoint is one (its metadata holds the tokenizer), else null. */
    public GgufFile gguf() {
        return gguf;
    }

    /** Size of the mapped weight data in bytes. */
    public long weightBytes() {
        long n = 0;
        for (TensorData t : tensors.values()) n += t.data().byteSize();
        return n;
    }

    @Override
    public void close() {
        if (gguf != null) gguf.close();
        if (arena != null) arena.close();
    }
}
