package dev.pagoda.model.synthetic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pagoda.PagodaException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A Hugging Face tokenizer directory to copy next to synthetic weights: its files and the token
 * ids its tokenizer.json defines.
 *
 * @param size one past the highest token id (model vocabulary and added tokens)
 * @param addedIds ids of the added tokens (the special tokens, among others)
 */
public record TokenizerFiles(Path dir, List<Path> files, int size, BitSet addedIds) {
    /** The files copied besides those named tokenizer*: the other files transformers may read. */
    private static final Set<String> OTHER_FILES = Set.of("special_tokens_map.json", "added_tokens.json",
            "vocab.json", "merges.txt", "chat_template.jinja", "chat_template.json");

    public static TokenizerFiles read(Path dir) {
        Path json = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(json)) {
            throw new PagodaException("--tokenizer " + dir + ": no tokenizer.json there");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().startsWith("tokenizer")
                            || OTHER_FILES.contains(p.getFileName().toString()))
                    .sorted()
                    .forEach(files::add);
            JsonNode root = new ObjectMapper().readTree(json.toFile());
            int size = 0;
            JsonNode vocab = root.path("model").path("vocab");
            if (vocab.isObject()) {
                for (JsonNode id : vocab) size = Math.max(size, id.asInt() + 1);
            } else if (vocab.isArray()) {
                size = vocab.size(); // Unigram: [piece, score] pairs, the id is the position
            } else {
                throw new PagodaException(json + ": no model.vocab");
            }
            BitSet added = new BitSet();
            for (JsonNode token : root.path("added_tokens")) {
                int id = token.path("id").asInt();
                added.set(id);
                size = Math.max(size, id + 1);
            }
            return new TokenizerFiles(dir, List.copyOf(files), size, added);
        } catch (IOException e) {
            throw new PagodaException("--tokenizer " + dir + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Checks that this tokenizer can drive {@code model}: its ids fit the vocabulary and it has the model's bos/eos. */
    public void checkFits(ModelShape model) {
        if (size > model.vocabSize()) {
            throw new PagodaException("tokenizer " + dir + " has " + size + " token ids, more than " + model.name()
                    + "'s vocab_size " + model.vocabSize() + " (wrong --tokenizer for --like " + model.name() + "?)");
        }
        for (int id : new int[] {model.bosTokenId(), model.eosTokenId()}) {
            if (id >= size) {
                throw new PagodaException("tokenizer " + dir + " has no token " + id + ", " + model.name()
                        + "'s bos/eos id (wrong --tokenizer for --like " + model.name() + "?)");
            }
        }
    }

    /** Rows of the embedding/output matrices that are special or unused: the added tokens and ids past {@link #size}. */
    public BitSet quietRows(int vocabSize) {
        BitSet rows = (BitSet) addedIds.clone();
        rows.set(size, vocabSize);
        return rows;
    }

    /** Copies the tokenizer files into {@code out}; returns the copies. */
    public List<Path> copyTo(Path out) throws IOException {
        List<Path> copies = new ArrayList<>();
        for (Path f : files) {
            copies.add(Files.copy(f, out.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING));
        }
        return copies;
    }
}
