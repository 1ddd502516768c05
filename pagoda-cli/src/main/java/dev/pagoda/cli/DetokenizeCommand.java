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
        CliArgs a = CliArgs.parse(args, USAGE, "--skip-special");
        if (a == null) return 0; // --help printed the usage
        boolean skipSpecial = a.takeSwitch("--skip-special");
        String output = TokenizerArgs.output(a);
        int[] ids = a.takeIntList("--tokens");
        Tokenizer tokenizer = TokenizerArgs.load(a);
        if (!a.remaining().isEmpty()) throw new IllegalArgumentException("unknown option '" + a.remaining().getFirst() + "'\n" + USAGE);
        if (ids == null) throw new IllegalArgumentException("--tokens is required");
        for (int id : ids) {
            if (id < 0 || id >= tokenizer.vocabSize()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (size " + tokenizer.vocabSize() + ")");
            }
        }
        String text = tokenizer.decode(ids, skipSpecial);
        System.out.println(output.equals("json") ? new ObjectMapper().writeValueAsString(Map.of("text", text)) : text);
        return 0;
    }
}
