package dev.pagoda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code pagoda tokenize}: text to token ids. */
final class TokenizeCommand implements Command {
    private static final String USAGE = """
            usage: pagoda tokenize [--model PATH | --tokenizer DIR] --text T [--no-special] [--output text|json]
                   pagoda tokenize [--model PATH | --tokenizer DIR] --messages FILE [--add-generation-prompt] [--output text|json]
              --model PATH      a .gguf file or a model directory (default: the bundled stories260K)
              --tokenizer DIR   a directory with tokenizer.json (and tokenizer_config.json)
              --text T          the text to encode
              --no-special      do not add BOS/EOS (special tokens written in the text are still matched)
              --messages FILE   a JSON list of chat messages, rendered with the chat template
              --output FORMAT   text (one token per line, the default) or json: {"tokens": [...], "count": n}""";

    @Override
    public String summary() {
        return "encode text (or chat messages) into token ids";
    }

    @Override
    public int run(String[] args) throws Exception {
        TokenizerArgs tokenizerArgs = new TokenizerArgs();
        String text = null;
        Path messages = null;
        boolean addGenerationPrompt = false;
        boolean addSpecial = true;
        String output = "text";
        for (int i = 0; i < args.length; i++) {
            int used = tokenizerArgs.accept(args, i);
            if (used >= 0) {
                i = used;
                continue;
            }
            switch (args[i]) {
                case "--text" -> text = TokenizerArgs.value(args, i++);
                case "--messages" -> messages = Path.of(TokenizerArgs.value(args, i++));
                case "--add-generation-prompt" -> addGenerationPrompt = true;
                case "--no-special" -> addSpecial = false;
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
        if ((text == null) == (messages == null)) throw new IllegalArgumentException("give exactly one of --text and --messages");
        if (addGenerationPrompt && messages == null) throw new IllegalArgumentException("--add-generation-prompt goes with --messages");

        Tokenizer tokenizer = tokenizerArgs.load();
        String prompt = null;
        if (messages != null) {
            // Chat prompts: render messages with tokenizer.chatTemplate() and encode the result with
            // addSpecialTokens=false (the template writes BOS itself). The renderer lives in another package.
            throw new IllegalArgumentException("--messages: chat templates are not available in this build yet");
        }
        int[] ids = tokenizer.encode(text, addSpecial);
        print(tokenizer, prompt, ids, output);
        return 0;
    }

    private static void print(Tokenizer tokenizer, String prompt, int[] ids, String output) throws Exception {
        ObjectMapper json = new ObjectMapper();
        if (output.equals("json")) {
            Map<String, Object> result = new LinkedHashMap<>();
            if (prompt != null) result.put("prompt", prompt);
            result.put("tokens", Arrays.stream(ids).boxed().toList());
            result.put("count", ids.length);
            System.out.println(json.writeValueAsString(result));
            return;
        }
        if (prompt != null) System.out.println(prompt);
        for (int id : ids) System.out.println(id + "\t" + json.writeValueAsString(tokenizer.tokenText(id)));
        System.out.println(ids.length + " tokens");
    }
}
