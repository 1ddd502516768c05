package dev.pagoda.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.PagodaException;
import dev.pagoda.tokenizer.Tokenizer;
import dev.pagoda.tokenizer.template.ChatPromptRenderer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code pagoda tokenize}: text, or chat messages rendered with the model's template, to token ids. */
final class TokenizeCommand implements Command {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String USAGE = """
            usage: pagoda tokenize [--model PATH | --tokenizer DIR] --text T [--no-special] [--output text|json]
                   pagoda tokenize [--model PATH | --tokenizer DIR] --messages FILE [--add-generation-prompt] [--output text|json]
              --model PATH      a .gguf file or a model directory (default: the bundled stories260K)
              --tokenizer DIR   a directory with tokenizer.json (and tokenizer_config.json)
              --text T          the text to encode
              --no-special      do not add BOS/EOS (special tokens written in the text are still matched)
              --messages FILE   a JSON list of chat messages, or an object with messages, tools,
                                add_generation_prompt and chat_template_kwargs (the shape of vLLM's /tokenize);
                                rendered with the chat template and encoded without adding special tokens
              --output FORMAT   text (one token per line, the default) or json: {"prompt": ..., "tokens": [...], "count": n}""";

    @Override
    public String summary() {
        return "encode text (or chat messages) into token ids";
    }

    @Override
    public int run(String[] args) throws Exception {
        CliArgs a = CliArgs.parse(args, USAGE, "--add-generation-prompt", "--no-special");
        if (a == null) return 0; // --help printed the usage
        String text = a.take("--text");
        String messages = a.take("--messages");
        boolean addGenerationPrompt = a.takeSwitch("--add-generation-prompt");
        boolean addSpecial = !a.takeSwitch("--no-special");
        String output = TokenizerArgs.output(a);
        Tokenizer tokenizer = TokenizerArgs.load(a);
        if (!a.remaining().isEmpty()) throw new IllegalArgumentException("unknown option '" + a.remaining().getFirst() + "'\n" + USAGE);
        if ((text == null) == (messages == null)) throw new IllegalArgumentException("give exactly one of --text and --messages");
        if (addGenerationPrompt && messages == null) throw new IllegalArgumentException("--add-generation-prompt goes with --messages");

        String prompt = null;
        int[] ids;
        if (messages != null) {
            prompt = renderChat(tokenizer, Path.of(messages), addGenerationPrompt);
            ids = tokenizer.encode(prompt, false); // the template writes BOS itself
        } else {
            ids = tokenizer.encode(text, addSpecial);
        }
        print(tokenizer, prompt, ids, output);
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static String renderChat(Tokenizer tokenizer, Path file, boolean addGenerationPrompt) {
        Object request;
        try {
            request = JSON.readValue(file.toFile(), Object.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("--messages " + file + ": not valid JSON: " + e.getMessage());
        }
        Map<String, Object> body = request instanceof List<?> list ? Map.of("messages", list)
                : request instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
        if (body == null || !(body.get("messages") instanceof List<?> chat)) {
            throw new IllegalArgumentException("--messages " + file + ": expected a list of messages or an object with 'messages'");
        }
        String template = tokenizer.chatTemplate().orElseThrow(() -> new PagodaException(
                "this tokenizer has no chat template, so --messages cannot be rendered"));
        boolean generationPrompt = addGenerationPrompt || Boolean.TRUE.equals(body.get("add_generation_prompt"));
        return new ChatPromptRenderer(template, tokenizer.specialTokenStrings())
                .render((List<Map<String, ?>>) chat, (List<?>) body.get("tools"), generationPrompt,
                        Boolean.TRUE.equals(body.get("continue_final_message")),
                        (Map<String, ?>) body.get("chat_template_kwargs"));
    }

    private static void print(Tokenizer tokenizer, String prompt, int[] ids, String output) throws Exception {
        if (output.equals("json")) {
            Map<String, Object> result = new LinkedHashMap<>();
            if (prompt != null) result.put("prompt", prompt);
            result.put("tokens", Arrays.stream(ids).boxed().toList());
            result.put("count", ids.length);
            System.out.println(JSON.writeValueAsString(result));
            return;
        }
        if (prompt != null) System.out.println(prompt);
        for (int id : ids) System.out.println(id + "\t" + JSON.writeValueAsString(tokenizer.tokenText(id)));
        System.out.println(ids.length + " tokens");
    }
}
