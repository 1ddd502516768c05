package dev.pagoda.cli;

import dev.pagoda.engine.LLM;
import dev.pagoda.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --model PATH | --tokenizer DIR} choice shared by tokenize and detokenize. */
final class TokenizerArgs {
    private TokenizerArgs() {
    }

    /** Takes --model / --tokenizer from {@code a} and loads that tokenizer (default: the bundled model's). */
    static Tokenizer load(CliArgs a) {
        String model = a.take("--model");
        String dir = a.take("--tokenizer");
        if (model != null && dir != null) throw new IllegalArgumentException("give either --model or --tokenizer, not both");
        if (dir != null) {
            Path path = Path.of(dir);
            if (!Files.isRegularFile(path.resolve("tokenizer.json"))) {
                throw new IllegalArgumentException("--tokenizer " + dir + ": no tokenizer.json there");
            }
            return Tokenizer.fromHfDirectory(path);
        }
        return Tokenizer.load(model != null ? Path.of(model) : LLM.bundledModel());
    }

    /** Checks an --output value. */
    static String output(CliArgs a) {
        String output = a.take("--output");
        if (output == null) return "text";
        if (!output.equals("text") && !output.equals("json")) {
            throw new IllegalArgumentException("--output must be text or json, not '" + output + "'");
        }
        return output;
    }
}
