package dev.pagoda.model.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.model.loader.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes a Hugging Face model directory with seeded random weights in a real model's shapes
 * ({@link ModelShape}, {@link Weights}) and that model's real tokenizer: config.json,
 * generation_config.json, README.md, the tokenizer files and the safetensors weights.
 *
 * @param shardBytes 0 for a single model.safetensors, else the maximum bytes per shard
 */
public record SyntheticModel(ModelShape shape, DType dtype, long seed, long shardBytes) {

    /** What was written. */
    public record Written(List<Path> files, long parameters, long bytes) {
    }

    /** The safetensors entries of this model, values drawn with {@code quietRows} (see {@link Weights}). */
    public List<SafetensorsWriter.Tensor> tensors(BitSet quietRows) {
        return shape.tensors().stream()
                .map(t -> new SafetensorsWriter.Tensor(t.name(), dtype, t.shape(),
                        () -> Weights.values(seed, shape, t, quietRows)))
                .toList();
    }

    /** Bytes of tensor data (without headers) the weights take. */
    public long weightBytes() {
        return dtype.bytesFor(shape.parameterCount());
    }

    /**
     * Writes the model into directory {@code out} (created if missing), with the tokenizer
     * copied from {@code tokenizer}. The tokenizer is checked first; the weights are written
     * last and appear only once complete. Earlier weight files in {@code out} that this model
     * does not overwrite (another sharding) are removed.
     */
    public Written write(TokenizerFiles tokenizer, Path out) throws IOException {
        tokenizer.checkFits(shape);
        Files.createDirectories(out);
        List<Path> files = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        files.add(writeJson(json, out.resolve("config.json"), shape.configJson(dtype)));
        Map<String, Object> generation = new TreeMap<>();
        generation.put("bos_token_id", shape.bosTokenId());
        generation.put("eos_token_id", shape.eosTokenId());
        generation.put("do_sample", false);
        files.add(writeJson(json, out.resolve("generation_config.json"), generation));
        files.add(Files.writeString(out.resolve("README.md"), readme(tokenizer)));
        files.addAll(tokenizer.copyTo(out));
        List<Path> weights = SafetensorsWriter.write(out, tensors(tokenizer.quietRows(shape.vocabSize())), shardBytes);
        try (Stream<Path> list = Files.list(out)) {
            for (Path p : list.toList()) {
                String n = p.getFileName().toString();
                boolean weightFile = n.endsWith(".safetensors") || n.equals(SafetensorsWriter.INDEX_FILE);
                if (weightFile && !weights.contains(p)) Files.delete(p);
            }
        }
        files.addAll(weights);
        long bytes = 0;
        for (Path f : files) bytes += Files.size(f);
        return new Written(files, shape.parameterCount(), bytes);
    }

    private static Path writeJson(ObjectMapper json, Path file, Map<String, Object> value) throws IOException {
        return Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(value) + "\n");
    }

    private String readme(TokenizerFiles tokenizer) {
        return String.format(Locale.ROOT, """
                # Synthetic %s (random weights)

                Written by `pagoda make-test-model`: the exact tensor names and shapes of %s (%s) with
                seeded random weights, plus the real tokenizer copied from `%s`. It is for benchmarks and
                tests only: the weights are not trained and the generated text is gibberish.

                | | |
                |---|---|
                | like | %s |
                | layers / hidden / heads / kv heads / head_dim / intermediate | %d / %d / %d / %d / %d / %d |
                | dtype | %s |
                | seed | %d |
                | parameters | %,d |

                Weights (same seed, same bytes): linear weights N(0, 1/fan_in), except o_proj and down_proj
                N(0, g²/fan_in) with g = %s/sqrt(layers) (g = %.2f here), so the final hidden state's rms is
                about %s and the tied embedding's own share of it cannot make greedy decoding repeat the
                input token; the output projection (the embedding, when tied) N(0, (3/sqrt(hidden))²) so the
                logits spread by about 3; an untied input embedding N(0, 1); the embedding/output rows of
                added (special) tokens and unused padding ids scaled by %s so greedy decoding neither stops
                on end-of-sequence nor emits undecodable ids; RMSNorm and q/k-norm weights 1 + 0.1·N(0, 1);
                biases 0.2·N(0, 1).

                generation_config.json sets `do_sample: false` and no temperature/top_p/top_k, so default
                generation is greedy and deterministic (the real checkpoints ship sampling defaults).
                """, shape.name(), shape.name(), shape.architecture(), tokenizer.dir(), shape.name(),
                shape.numLayers(), shape.hiddenSize(), shape.numHeads(), shape.numKvHeads(), shape.headDim(),
                shape.intermediateSize(), dtype, seed, shape.parameterCount(),
                Weights.FINAL_RMS, Weights.residualGain(shape), Weights.FINAL_RMS, Weights.QUIET);
    }
}
