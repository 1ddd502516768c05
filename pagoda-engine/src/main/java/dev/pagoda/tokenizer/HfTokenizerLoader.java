package dev.pagoda.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.PagodaException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Builds a {@link Tokenizer} from tokenizer.json and tokenizer_config.json. */
final class HfTokenizerLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfTokenizerLoader() {
    }

    static Tokenizer load(Path dir) {
        TokenizerJsonReader.Content content = TokenizerJsonReader.read(dir.resolve("tokenizer.json"));
        JsonNode root = content.root();
        Path configPath = dir.resolve("tokenizer_config.json");
        JsonNode config = Files.isRegularFile(configPath) ? read(configPath) : JSON.createObjectNode();

        JsonNode modelNode = content.model();
        String modelType = modelNode.path("type").asText("BPE");
        if (!modelType.equals("BPE")) throw unsupported("model type '" + modelType + "'");
        checkBpeOptions(modelNode);

        Map<String, Integer> vocab = content.vocab();
        List<AddedToken> added = readAddedTokens(root.path("added_tokens"));
        int size = 0;
        for (int id : vocab.values()) size = Math.max(size, id + 1);
        for (AddedToken t : added) size = Math.max(size, t.id() + 1);
        String[] texts = new String[size];
        vocab.forEach((text, id) -> texts[id] = text);

        Merges merges = merges(content.mergeLefts(), content.mergeRights(), vocab);
        int unknownId = -1;
        if (modelNode.hasNonNull("unk_token")) {
            unknownId = idOf(modelNode.path("unk_token").asText(), vocab, added);
        }
        BpeModel model = new BpeModel(vocab, merges, modelNode.path("ignore_merges").asBoolean(false),
                modelNode.path("byte_fallback").asBoolean(false), unknownId, modelNode.path("fuse_unk").asBoolean(false));

        return new Tokenizer(new Vocabulary(texts, added), added,
                HfComponents.normalizer(root.path("normalizer")),
                HfComponents.preTokenizer(root.path("pre_tokenizer")),
                model,
                HfComponents.postProcessor(root.path("post_processor")),
                HfComponents.decoder(root.path("decoder")),
                readConfig(config, vocab, added));
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new PagodaException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static PagodaException unsupported(String what) {
        return new PagodaException("tokenizer.json: " + what + " is not supported");
    }

    private static void checkBpeOptions(JsonNode model) {
        if (model.hasNonNull("dropout") && model.path("dropout").asDouble() > 0) throw unsupported("BPE dropout");
        for (String affix : new String[]{"continuing_subword_prefix", "end_of_word_suffix"}) {
            if (!model.path(affix).asText("").isEmpty()) throw unsupported("BPE " + affix + " '" + model.path(affix).asText() + "'");
        }
    }

    private static List<AddedToken> readAddedTokens(JsonNode node) {
        List<AddedToken> out = new ArrayList<>();
        for (JsonNode t : node) {
            if (t.path("single_word").asBoolean(false)) throw unsupported("added token option single_word (on '" + t.path("content").asText() + "')");
            out.add(new AddedToken(t.path("id").asInt(), t.path("content").asText(), t.path("special").asBoolean(false),
                    t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false), t.path("normalized").asBoolean(false)));
        }
        return out;
    }

    /** Rank = position in the list. */
    private static Merges merges(List<String> lefts, List<String> rights, Map<String, Integer> vocab) {
        Merges merges = new Merges(lefts.size());
        for (int rank = 0; rank < lefts.size(); rank++) {
            String left = lefts.get(rank);
            String right = rights.get(rank);
            Integer l = vocab.get(left);
            Integer r = vocab.get(right);
            Integer merged = vocab.get(left + right);
            if (l == null || r == null || merged == null) {
                throw new PagodaException("tokenizer.json: merge '" + left + " " + right + "' uses a token that is not in the vocab");
            }
            merges.add(l, r, rank, merged);
        }
        return merges;
    }

    private static int idOf(String token, Map<String, Integer> vocab, List<AddedToken> added) {
        for (AddedToken t : added) if (t.content().equals(token)) return t.id();
        Integer id = vocab.get(token);
        if (id == null) throw new PagodaException("tokenizer.json: token '" + token + "' is not in the vocab");
        return id;
    }

    private static TokenizerConfig readConfig(JsonNode config, Map<String, Integer> vocab, List<AddedToken> added) {
        Map<String, String> strings = new LinkedHashMap<>();
        for (String key : new String[]{"bos_token", "eos_token", "unk_token", "pad_token"}) {
            JsonNode v = config.path(key);
            // Either "<s>" or an AddedToken object {"content": "<s>", ...}.
            String s = v.isTextual() ? v.asText() : v.path("content").isTextual() ? v.path("content").asText() : null;
            if (s != null) strings.put(key, s);
        }
        OptionalInt bos = strings.containsKey("bos_token")
                ? OptionalInt.of(idOf(strings.get("bos_token"), vocab, added)) : OptionalInt.empty();
        Set<Integer> eos = strings.containsKey("eos_token") ? Set.of(idOf(strings.get("eos_token"), vocab, added)) : Set.of();
        return new TokenizerConfig(bos, eos, Map.copyOf(strings), chatTemplate(config.path("chat_template")));
    }

    /** A template string, or a list of named templates of which "default" (else the first) is used. */
    private static Optional<String> chatTemplate(JsonNode node) {
        if (node.isTextual()) return Optional.of(node.asText());
        if (node.isArray() && !node.isEmpty()) {
            for (JsonNode t : node) if (t.path("name").asText().equals("default")) return Optional.of(t.path("template").asText());
            return Optional.of(node.path(0).path("template").asText());
        }
        return Optional.empty();
    }
}
