package dev.pagoda.tokenizer;

import dev.pagoda.PagodaException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds a {@link Tokenizer} from a GGUF's {@code tokenizer.ggml.*} metadata, expressed as the
 * tokenizer.json pipeline the same model has on Hugging Face, so both give the same ids:
 * <ul>
 * <li>{@code llama}: SentencePiece-style BPE. There are no merges: as in llama.cpp, the adjacent pair
 * whose concatenation is a token with the highest score merges first; unknown characters fall
 * back to {@code <0xNN>} tokens.</li>
 * <li>{@code gpt2}: byte-level BPE with merges; {@code pre} names the split regex.</li>
 * </ul>
 */
final class GgufTokenizerLoader {
    private static final String KEY = "tokenizer.ggml.";
    // llama.cpp's token types
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final char SPACE_MARK = '\u2581';

    private static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String TEKKEN_SPLIT = "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private GgufTokenizerLoader() {
    }

    static Tokenizer load(Map<String, Object> metadata) {
        String model = string(metadata, KEY + "model");
        if (model == null) throw new PagodaException("GGUF: no tokenizer (tokenizer.ggml.model is missing)");
        List<String> tokens = list(metadata, KEY + "tokens", String.class);
        if (tokens == null) throw new PagodaException("GGUF: tokenizer.ggml.tokens is missing");
        String[] texts = tokens.toArray(String[]::new);
        int[] types = new int[texts.length];
        List<Long> typeList = list(metadata, KEY + "token_type", Long.class);
        if (typeList != null) for (int i = 0; i < types.length && i < typeList.size(); i++) types[i] = typeList.get(i).intValue();

        Map<String, Integer> vocab = new HashMap<>(texts.length * 4 / 3 + 16);
        for (int id = 0; id < texts.length; id++) vocab.put(texts[id], id);
        List<AddedToken> added = new ArrayList<>();
        for (int id = 0; id < texts.length; id++) {
            if (types[id] == CONTROL || types[id] == USER_DEFINED || types[id] == UNKNOWN) {
                added.add(new AddedToken(id, texts[id], types[id] != USER_DEFINED, false, false, false));
            }
        }
        OptionalInt bos = tokenId(metadata, "bos_token_id", texts.length);
        OptionalInt eos = tokenId(metadata, "eos_token_id", texts.length);
        String pre = string(metadata, KEY + "pre");
        boolean addBosDefault = model.equals("llama") || (pre != null && Set.of("llama-bpe", "llama3", "tekken").contains(pre));
        boolean addBos = bool(metadata, KEY + "add_bos_token", addBosDefault);
        boolean addEos = bool(metadata, KEY + "add_eos_token", false);
        PostProcessor post = new PostProcessor.Template(
                addBos && bos.isPresent() ? new int[]{bos.getAsInt()} : new int[0],
                addEos && eos.isPresent() ? new int[]{eos.getAsInt()} : new int[0]);
        TokenizerConfig config = config(metadata, texts, bos, eos);
        Vocabulary vocabulary = new Vocabulary(texts.clone(), added);

        return switch (model) {
            case "llama" -> {
                boolean spacePrefix = bool(metadata, KEY + "add_space_prefix", true);
                Normalizer spaces = new Normalizer.Replace(Pattern.compile(" ", Pattern.LITERAL), String.valueOf(SPACE_MARK));
                Normalizer normalizer = spacePrefix
                        ? new Normalizer.Sequence(List.of(new Normalizer.Prepend(String.valueOf(SPACE_MARK)), spaces)) : spaces;
                List<Decoder> decoders = new ArrayList<>(List.of(
                        new Decoder.Replace(Pattern.compile(String.valueOf(SPACE_MARK), Pattern.LITERAL), " "),
                        new Decoder.ByteFallback(), new Decoder.Fuse()));
                if (spacePrefix) decoders.add(new Decoder.Strip(' ', 1));
                int unknown = tokenId(metadata, "unknown_token_id", texts.length).orElse(-1);
                BpeModel bpe = new BpeModel(vocab, mergesFromScores(metadata, texts, vocab), false, true, unknown, true);
                yield new Tokenizer(vocabulary, added, normalizer, PreTokenizer.NONE, bpe, post,
                        new Decoder.Sequence(decoders), config);
            }
            case "gpt2" -> {
                PreTokenizer.ByteLevel byteLevel = new PreTokenizer.ByteLevel(false, null);
                String p = pre == null ? "default" : pre;
                String split = switch (p) {
                    case "default", "gpt2" -> null;
                    case "llama-bpe", "llama3" -> LLAMA3_SPLIT;
                    case "qwen2" -> QWEN2_SPLIT;
                    case "tekken" -> TEKKEN_SPLIT;
                    default -> throw new PagodaException("GGUF: tokenizer pre-tokenizer '" + p + "' is not supported");
                };
                PreTokenizer preTokenizer = split == null
                        ? new PreTokenizer.ByteLevel(false, new PreTokenizer.Split(HfRegex.compile(PreTokenizer.GPT2_PATTERN), true))
                        : new PreTokenizer.Sequence(List.of(new PreTokenizer.Split(HfRegex.compile(split), true), byteLevel));
                // Qwen2's tokenizer.json normalizes to NFC; llama.cpp does not, but matching the HF tokenizer matters more.
                Normalizer normalizer = p.equals("qwen2") ? new Normalizer.UnicodeForm(java.text.Normalizer.Form.NFC) : Normalizer.NONE;
                boolean ignoreMerges = Set.of("llama-bpe", "llama3", "tekken").contains(p);
                BpeModel bpe = new BpeModel(vocab, mergesFromList(metadata, vocab), ignoreMerges, false, -1, false);
                yield new Tokenizer(vocabulary, added, normalizer, preTokenizer, bpe, post, new Decoder.ByteLevel(), config);
            }
            default -> throw new PagodaException("GGUF: tokenizer model '" + model + "' is not supported");
        };
    }

    private static Merges mergesFromList(Map<String, Object> metadata, Map<String, Integer> vocab) {
        List<String> list = list(metadata, KEY + "merges", String.class);
        if (list == null) throw new PagodaException("GGUF: tokenizer.ggml.merges is missing");
        Merges merges = new Merges(list.size());
        for (int rank = 0; rank < list.size(); rank++) {
            String m = list.get(rank);
            int space = m.indexOf(' ', 1);
            Integer l = space < 0 ? null : vocab.get(m.substring(0, space));
            Integer r = space < 0 ? null : vocab.get(m.substring(space + 1));
            Integer merged = space < 0 ? null : vocab.get(m.substring(0, space) + m.substring(space + 1));
            if (l == null || r == null || merged == null) throw new PagodaException("GGUF: merge '" + m + "' uses a token that is not in the vocab");
            merges.add(l, r, rank, merged);
        }
        return merges;
    }

    /**
     * llama.cpp's SentencePiece merge order as pair rules: every split of a token into two tokens
     * is a rule ranked by the merged token's score (higher first). Equal scores share a rank, so
     * the leftmost pair wins among them, as in llama.cpp's queue.
     */
    private static Merges mergesFromScores(Map<String, Object> metadata, String[] texts, Map<String, Integer> vocab) {
        List<Double> scoreList = list(metadata, KEY + "scores", Double.class);
        if (scoreList == null) throw new PagodaException("GGUF: tokenizer.ggml.scores is missing");
        double[] distinct = scoreList.stream().mapToDouble(Double::doubleValue).distinct().sorted().toArray();
        Merges merges = new Merges(texts.length * 8);
        for (int id = 0; id < texts.length; id++) {
            String t = texts[id];
            int rank = distinct.length - 1 - Arrays.binarySearch(distinct, scoreList.get(id));
            for (int k = t.offsetByCodePoints(0, 1); k < t.length(); k = t.offsetByCodePoints(k, 1)) {
                Integer l = vocab.get(t.substring(0, k));
                Integer r = vocab.get(t.substring(k));
                if (l != null && r != null && vocab.get(t) == id) merges.add(l, r, rank, id);
            }
        }
        return merges;
    }

    private static TokenizerConfig config(Map<String, Object> metadata, String[] texts, OptionalInt bos, OptionalInt eos) {
        Set<Integer> eosIds = new LinkedHashSet<>();
        eos.ifPresent(eosIds::add);
        tokenId(metadata, "eot_token_id", texts.length).ifPresent(eosIds::add);
        tokenId(metadata, "eom_token_id", texts.length).ifPresent(eosIds::add);
        Map<String, String> strings = new LinkedHashMap<>();
        bos.ifPresent(id -> strings.put("bos_token", texts[id]));
        eos.ifPresent(id -> strings.put("eos_token", texts[id]));
        tokenId(metadata, "unknown_token_id", texts.length).ifPresent(id -> strings.put("unk_token", texts[id]));
        tokenId(metadata, "padding_token_id", texts.length).ifPresent(id -> strings.put("pad_token", texts[id]));
        return new TokenizerConfig(bos, Set.copyOf(eosIds), Map.copyOf(strings),
                Optional.ofNullable(string(metadata, "tokenizer.chat_template")));
    }

    /** A token id key; absent when missing or out of range (GGUFs write 0xFFFFFFFF for "none"). */
    private static OptionalInt tokenId(Map<String, Object> metadata, String key, int vocabSize) {
        Object v = metadata.get(KEY + key);
        if (!(v instanceof Long id) || id < 0 || id >= vocabSize) return OptionalInt.empty();
        return OptionalInt.of(id.intValue());
    }

    private static String string(Map<String, Object> metadata, String key) {
        return metadata.get(key) instanceof String s ? s : null;
    }

    private static boolean bool(Map<String, Object> metadata, String key, boolean fallback) {
        return metadata.get(key) instanceof Boolean b ? b : fallback;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Map<String, Object> metadata, String key, Class<T> type) {
        if (!(metadata.get(key) instanceof List<?> l)) return null;
        for (Object o : l) {
            if (!type.isInstance(o)) throw new PagodaException("GGUF: " + key + " holds " + o.getClass().getSimpleName() + ", expected " + type.getSimpleName());
        }
        return (List<T>) l;
    }
}
