package dev.pagoda.tokenizer;

import dev.pagoda.PagodaException;
import dev.pagoda.model.loader.GgufFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Text to token ids and back, with the Hugging Face tokenizers pipeline: added tokens are cut out
 * of the raw text first, each remaining piece is normalized, pre-tokenized into words and encoded
 * by BPE; the post-processor adds BOS/EOS. Loaded from tokenizer.json or from a GGUF's embedded
 * vocabulary (mapped onto the same pipeline). Thread-safe.
 */
public final class Tokenizer {
    private final Vocabulary vocabulary;
    private final AddedTokenMatcher rawAddedTokens;
    private final AddedTokenMatcher normalizedAddedTokens;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final TokenizerConfig config;

    Tokenizer(Vocabulary vocabulary, List<AddedToken> addedTokens, Normalizer normalizer, PreTokenizer preTokenizer,
              BpeModel model, PostProcessor postProcessor, Decoder decoder, TokenizerConfig config) {
        this.vocabulary = vocabulary;
        this.rawAddedTokens = new AddedTokenMatcher(addedTokens.stream().filter(t -> !t.normalized()).toList());
        this.normalizedAddedTokens = new AddedTokenMatcher(addedTokens.stream().filter(AddedToken::normalized).toList());
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.postProcessor = postProcessor;
        this.decoder = decoder;
        this.config = config;
    }

    /** A Hugging Face tokenizer directory: tokenizer.json and (optionally) tokenizer_config.json. */
    public static Tokenizer fromHfDirectory(Path dir) {
        return HfTokenizerLoader.load(dir);
    }

    /** The tokenizer embedded in a GGUF's metadata ({@code tokenizer.ggml.*}). */
    public static Tokenizer fromGguf(Map<String, Object> metadata) {
        return GgufTokenizerLoader.load(metadata);
    }

    /**
     * The tokenizer of a model: a .gguf file, a directory with tokenizer.json, or a directory
     * holding exactly one .gguf file.
     */
    public static Tokenizer load(Path path) {
        if (Files.isRegularFile(path)) {
            if (!path.getFileName().toString().endsWith(".gguf")) {
                throw new PagodaException(path + ": not a .gguf file or a tokenizer directory");
            }
            try (GgufFile gguf = GgufFile.open(path)) {
                return fromGguf(gguf.metadata());
            }
        }
        if (!Files.isDirectory(path)) throw new PagodaException(path + ": no such file or directory");
        if (Files.isRegularFile(path.resolve("tokenizer.json"))) return fromHfDirectory(path);
        List<Path> ggufs;
        try (Stream<Path> files = Files.list(path)) {
            ggufs = files.filter(p -> p.getFileName().toString().endsWith(".gguf")).toList();
        } catch (IOException e) {
            throw new PagodaException(path + ": cannot list: " + e.getMessage(), e);
        }
        if (ggufs.size() == 1) return load(ggufs.getFirst());
        throw new PagodaException(path + ": expected tokenizer.json or exactly one .gguf file, found "
                + (ggufs.isEmpty() ? "neither" : ggufs.size() + " .gguf files"));
    }

    public int[] encode(String text, boolean addSpecialTokens) {
        IdBuffer ids = new IdBuffer(text.length() / 3 + 4);
        boolean startsText = true;
        for (AddedTokenMatcher.Segment raw : rawAddedTokens.split(text)) {
            if (raw.token() != null) {
                ids.add(raw.token().id());
            } else {
                for (AddedTokenMatcher.Segment piece : normalizedAddedTokens.split(normalizer.normalize(raw.text()))) {
                    if (piece.token() != null) ids.add(piece.token().id());
                    else encodePlain(piece.text(), startsText, ids);
                    startsText = false;
                }
            }
            startsText = false;
        }
        int[] out = ids.toArray();
        return addSpecialTokens ? postProcessor.addSpecialTokens(out) : out;
    }

    private void encodePlain(String text, boolean startsText, IdBuffer ids) {
        for (String word : preTokenizer.split(List.of(text), startsText)) {
            if (!word.isEmpty()) ids.addAll(model.encodeWord(word));
        }
    }

    /** The text of the ids. Ids outside the vocabulary are skipped, as the Rust library does. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids, 0, ids.length, skipSpecialTokens, true);
    }

    /** Decodes {@code ids[from, to)}; {@code atStart}: whether they begin the text (see {@link Decoder#decode}). */
    String decode(int[] ids, int from, int to, boolean skipSpecialTokens, boolean atStart) {
        List<String> tokens = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            String t = vocabulary.textOrNull(ids[i]);
            if (t == null || (skipSpecialTokens && vocabulary.isSpecial(ids[i]))) continue;
            tokens.add(t);
        }
        return String.join("", decoder.decode(tokens, atStart));
    }

    /** Ids are below this; includes added tokens. */
    public int vocabSize() {
        return vocabulary.size();
    }

    /** The raw vocab string of the id ("Ġthe", "▁the", "<0x0A>", "<|im_end|>"). */
    public String tokenText(int id) {
        return vocabulary.text(id);
    }

    String tokenTextOrNull(int id) {
        return vocabulary.textOrNull(id);
    }

    /**
     * The bytes the token contributes to decoded text on its own: the byte-level alphabet and
     * {@code <0xNN>} tokens map to raw bytes (possibly part of a UTF-8 sequence), "▁" to a space.
     */
    public byte[] tokenBytes(int id) {
        return decoder.piece(new Decoder.Piece(vocabulary.text(id), null)).utf8();
    }

    public boolean isSpecial(int id) {
        return vocabulary.isSpecial(id);
    }

    public OptionalInt bosTokenId() {
        return config.bosTokenId();
    }

    /** The tokenizer's end-of-sequence ids (for GGUF: EOS, EOT and EOM). */
    public Set<Integer> eosTokenIds() {
        return config.eosTokenIds();
    }

    public Optional<String> chatTemplate() {
        return config.chatTemplate();
    }

    /** Template variables: bos_token, eos_token, unk_token, pad_token, for those the tokenizer defines. */
    public Map<String, String> specialTokenStrings() {
        return config.specialTokenStrings();
    }

    /** A growable int array. */
    private static final class IdBuffer {
        private int[] ids;
        private int size;

        IdBuffer(int capacity) {
            ids = new int[capacity];
        }

        void add(int id) {
            if (size == ids.length) ids = java.util.Arrays.copyOf(ids, size * 2 + 4);
            ids[size++] = id;
        }

        void addAll(int[] more) {
            if (size + more.length > ids.length) ids = java.util.Arrays.copyOf(ids, Math.max(size + more.length, size * 2));
            System.arraycopy(more, 0, ids, size, more.length);
            size += more.length;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(ids, size);
        }
    }
}
