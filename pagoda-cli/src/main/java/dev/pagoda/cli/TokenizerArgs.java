package dev.pagoda.cli;

import dev.pagoda.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --model PATH | --tokenizer DIR} choice shared by tokenize and detokenize. */
final class TokenizerArgs {
    static final String BUNDLED_MODEL = "models/stories260K/stories260K.gguf";

    private Path model;
    private Path tokenizerDir;

    /** Consumes {@code args[i]} if it is one of these options; returns the index of the last argument used, or -1. */
    int accept(String[] args, int i) {
        switch (args[i]) {
            case "--model" -> model = Path.of(value(args, i));
            case "--tokenizer" -> tokenizerDir = Path.of(value(args, i));
            default -> {
                return -1;
            }
        }
        return i + 1;
    }

    Tokenizer load() {
        if (model != null && tokenizerDir != null) throw new IllegalArgumentException("give either --model or --tokenizer, not both");
        if (tokenizerDir != null) {
            if (!Files.isRegularFile(tokenizerDir.resolve("tokenizer.json"))) {
                throw new IllegalArgumentException("--tokenizer " + tokenizerDir + ": no tokenizer.json there");
            }
            return Tokenizer.fromHfDirectory(tokenizerDir);
        }
        return Tokenizer.load(model != null ? model : bundledModel());
    }

    private static Path bundledModel() {
        String home = System.getProperty("pagoda.home");
        if (home == null) throw new IllegalArgumentException("no --model or --tokenizer given, and pagoda.home is not set to find the bundled model");
        Path path = Path.of(home).resolve(BUNDLED_MODEL);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("no --model or --tokenizer given, and the bundled model is not at " + path);
        }
        return path;
    }

    static String value(String[] args, int i) {
        if (i + 1 >= args.length) throw new IllegalArgumentException(args[i] + " needs a value");
        return args[i + 1];
    }
}
