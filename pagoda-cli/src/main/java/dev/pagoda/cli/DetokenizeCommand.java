package dev.pagoda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.tokenizer.Tokenizer;

import java.util.Map;

/** {@code pagoda detokenize}: token ids to text. */
final class DetokenizeCommand implements Command {
    private static final String USAGE = """
            usage: pagoda detokenize [--model PATH | --tokenizer DIR] --tokens 1,2,3 [--skip-special] [--output text|json]
              --model PATH      a .gguf file or a model directory (default: the bundled stories260K)
              --tokenizer DIR   a directory with tokenizer.json (and tokenizer_config.json)
              --tokens IDS      token ids separated by commas (or spaces)
              --skip-special    leave special tokens (BOS, EOS, ...) out of the text
              --output FORMAT   text (the decoded text, the default) or json: {"text": "..."}""";

    @Override
    public String summary() {
        return "decode token ids into text";
    }

    @Override
    public int run(String[] args) throws Exception {
        TokenizerArgs tokenizerArgs = new TokenizerArgs();
        String tokens = null;
        boolean skipSpecial = false;
        String output = "text";
        for (int i = 0; i < args.length; i++) {
            int used = tokenizerArgs.accept(args, i);
            if (used >= 0) {
                i = used;
                continue;
            }
            switch (args[i]) {
                case "--tokens" -> tokens = TokenizerArgs.value(args, i++);
                case "--skip-special" -> skipSpecial = true;
                case "--output" -> output = TokenizerArgs.value(args, i++);
                case "--debug" -> { }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return 0;
                }
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'\n" + USAGE);
            }
        }
        if (!output.equals("text") && !output.equals("json")) throw new IllegalArgumentException("--output must be text or json, not '" + output + "'");
        if (tokens == null) throw new IllegalArgumentException("--tokens is required");
        int[] ids = parseIds(tokens);
        Tokenizer tokenizer = tokenizerArgs.load();
        for (int id : ids) {
            if (id < 0 || id >= tokenizer.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + tokenizer.vocabSize() + ")");
            }
        }
        String text = tokenizer.decode(ids, skipSpecial);
        System.out.println(output.equals("json") ? new ObjectMapper().writeValueAsString(Map.of("text", text)) : text);
        return 0;
    }

    private static int[] parseIds(String list) {
        String trimmed = list.strip();
        if (trimmed.isEmpty()) return new int[0];
        String[] parts = trimmed.split("[,\\s]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--tokens: '" + parts[i] + "' is not a token id");
            }
        }
        return ids;
    }
}
