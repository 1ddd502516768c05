package dev.pagoda.cli;

import dev.pagoda.PagodaException;
import dev.pagoda.model.loader.DType;
import dev.pagoda.model.synthetic.ModelShape;
import dev.pagoda.model.synthetic.SyntheticModel;
import dev.pagoda.model.synthetic.TokenizerFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** {@code pagoda make-test-model}: a Hugging Face model directory with seeded random weights in a real model's shapes. */
final class MakeTestModelCommand implements Command {
    private static final String USAGE = """
            usage: pagoda make-test-model --like MODEL --tokenizer DIR --out DIR [options]

            Writes a Hugging Face model directory (config.json, generation_config.json, tokenizer files,
            safetensors) with seeded random weights in the exact tensor names and shapes of a real model,
            for benchmarks and tests. The text it generates is gibberish.

              --like MODEL        %s
              --tokenizer DIR     the model's real tokenizer, copied into --out (tokenizer.json,
                                  tokenizer_config.json, ...), e.g. shared/tokenizers/qwen2.5
              --out DIR           output directory; must be missing or empty unless --force
              --dtype D           bf16 (default, like the real checkpoints), f32 or f16
              --seed S            random seed (default 0); same seed, same bytes
              --layers N          keep only N decoder layers
              --hidden N          shrink the hidden size: head_dim is kept, the attention heads scale with
                                  N (N must be a multiple of hidden/heads, 64 for every MODEL), kv heads keep
                                  the query-per-kv group size where possible (at least 1, dividing the heads),
                                  intermediate_size scales by N/hidden rounded to a multiple of 32
              --shard-size SIZE   split the weights into model-0000k-of-0000n.safetensors of at most SIZE
                                  bytes each (e.g. 500MB, 2GB) plus model.safetensors.index.json
              --force             write into a non-empty --out (replacing files of the same names)
              --dry-run           print the shapes, parameter count and size; write nothing
            """.formatted(String.join(" | ", ModelShape.names()));

    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*([KMG]?)B?");

    @Override
    public String summary() {
        return "write a random-weight model with a real model's shapes and tokenizer";
    }

    @Override
    public int run(String[] args) throws IOException {
        String like = null;
        Path tokenizer = null;
        Path out = null;
        DType dtype = DType.BF16;
        long seed = 0;
        Integer layers = null;
        Integer hidden = null;
        long shardBytes = 0;
        boolean force = false;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    System.out.print(USAGE);
                    return 0;
                }
                case "--like" -> like = value(args, ++i, a);
                case "--tokenizer" -> tokenizer = Path.of(value(args, ++i, a));
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--dtype" -> {
                    dtype = DType.parse(value(args, ++i, a));
                    if (dtype.isQuantized()) throw new IllegalArgumentException("--dtype must be bf16, f32 or f16");
                }
                case "--seed" -> seed = number(args, ++i, a);
                case "--layers" -> layers = Math.toIntExact(number(args, ++i, a));
                case "--hidden" -> hidden = Math.toIntExact(number(args, ++i, a));
                case "--shard-size" -> shardBytes = size(value(args, ++i, a));
                case "--force" -> force = true;
                case "--dry-run" -> dryRun = true;
                case "--debug" -> { }
                default -> throw new IllegalArgumentException("unknown option '" + a + "' (see --help)");
            }
        }
        if (like == null) throw new IllegalArgumentException("--like is required (" + String.join(", ", ModelShape.names()) + ")");
        ModelShape shape = ModelShape.like(like);
        if (layers != null) shape = shape.withLayers(layers);
        if (hidden != null) shape = shape.withHidden(hidden);
        SyntheticModel model = new SyntheticModel(shape, dtype, seed, shardBytes);
        if (dryRun) {
            shape.tensors().forEach(t -> System.out.printf("%-52s %s%n", t.name(), Arrays.toString(t.shape())));
            System.out.printf("%s: %d layers, hidden %d, %,d parameters, %,d bytes of %s weights%n",
                    shape.name(), shape.numLayers(), shape.hiddenSize(), shape.parameterCount(), model.weightBytes(), dtype);
            return 0;
        }
        if (tokenizer == null) throw new IllegalArgumentException("--tokenizer DIR is required (the real tokenizer of " + like + ")");
        if (out == null) throw new IllegalArgumentException("--out DIR is required");
        if (!force && isNonEmptyDirectory(out)) {
            throw new PagodaException(out + " is not empty; use --force to write into it anyway");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) throw new PagodaException(out + " exists and is not a directory");
        long start = System.nanoTime();
        SyntheticModel.Written written = model.write(TokenizerFiles.read(tokenizer), out);
        double seconds = (System.nanoTime() - start) / 1e9;
        for (Path f : written.files()) System.out.printf("  %-44s %,15d bytes%n", f.getFileName(), Files.size(f));
        System.out.printf(Locale.ROOT, "wrote %s (like %s, %s, seed %d): %,d parameters, %,d bytes in %.1f s%n",
                out, shape.name(), dtype, seed, written.parameters(), written.bytes(), seconds);
        return 0;
    }

    private static boolean isNonEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> list = Files.list(dir)) {
            return list.findAny().isPresent();
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static long number(String[] args, int i, String option) {
        String v = value(args, i, option);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " expects an integer, got '" + v + "'");
        }
    }

    /** Parses a byte size: a number with an optional decimal unit B, KB, MB or GB (K, M, G also accepted). */
    static long size(String s) {
        Matcher m = SIZE.matcher(s.trim().toUpperCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("--shard-size expects a positive size like 500MB or 2GB, got '" + s + "'");
        }
        long unit = switch (m.group(2)) {
            case "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }
}
