package dev.pagoda.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pagoda.PagodaException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads tokenizer.json. The model's vocab and merges (hundreds of thousands of entries for Qwen or
 * Llama 3) are streamed straight into maps and lists; building a JSON tree for them would take
 * most of the load time. Everything else is read as a tree.
 */
final class TokenizerJsonReader {
    /** @param root every section but the model; @param model the model's other fields */
    record Content(JsonNode root, JsonNode model, Map<String, Integer> vocab, List<String> mergeLefts,
                   List<String> mergeRights) {
    }

    // Vocab tokens arrive as field names: canonicalizing/interning 150k one-off names only costs time.
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build());

    private TokenizerJsonReader() {
    }

    static Content read(Path file) {
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            ObjectNode root = JSON.createObjectNode();
            ObjectNode model = JSON.createObjectNode();
            Map<String, Integer> vocab = new HashMap<>();
            List<String> lefts = new ArrayList<>();
            List<String> rights = new ArrayList<>();
            expect(p.nextToken(), JsonToken.START_OBJECT, file);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (!name.equals("model") || p.currentToken() != JsonToken.START_OBJECT) {
                    root.set(name, p.readValueAsTree());
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("vocab") && value == JsonToken.START_OBJECT) readVocab(p, vocab);
                    else if (field.equals("merges") && value == JsonToken.START_ARRAY) readMerges(p, lefts, rights, file);
                    else model.set(field, p.readValueAsTree());
                }
            }
            return new Content(root, model, vocab, lefts, rights);
        } catch (IOException e) {
            throw new PagodaException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void readVocab(JsonParser p, Map<String, Integer> vocab) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.currentName();
            p.nextToken();
            vocab.put(token, p.getIntValue());
        }
    }

    /** "left right" strings (older files) or ["left", "right"] pairs. */
    private static void readMerges(JsonParser p, List<String> lefts, List<String> rights, Path file) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_ARRAY) {
                p.nextToken();
                lefts.add(p.getText());
                p.nextToken();
                rights.add(p.getText());
                expect(p.nextToken(), JsonToken.END_ARRAY, file);
            } else {
                String s = p.getText();
                int space = s.indexOf(' ');
                if (space < 0) throw new PagodaException(file + ": merge '" + s + "' is not two tokens");
                lefts.add(s.substring(0, space));
                rights.add(s.substring(space + 1));
            }
        }
    }

    private static void expect(JsonToken actual, JsonToken expected, Path file) {
        if (actual != expected) throw new PagodaException(file + ": malformed tokenizer.json (expected " + expected + ", found " + actual + ")");
    }
}
