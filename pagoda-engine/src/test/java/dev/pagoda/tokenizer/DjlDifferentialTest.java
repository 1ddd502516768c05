package dev.pagoda.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random strings and random id sequences, compared with the Hugging Face Rust tokenizers (DJL's JNI
 * binding): encode with and without special tokens, decode with and without skipping them.
 */
class DjlDifferentialTest {
    static final List<String> TOKENIZERS = Shared.TOKENIZERS;
    private static final int STRINGS = 400;
    private static final int ID_SEQUENCES = 200;

    @ParameterizedTest
    @FieldSource("TOKENIZERS")
    void agreesWithRustTokenizers(String name) throws Exception {
        long seed = Long.getLong("pagoda.tokenizer.seed", name.hashCode() * 31L + 2024);
        Tokenizer ours = Tokenizer.fromHfDirectory(Shared.tokenizerDir(name));
        List<String> specials = new ArrayList<>();
        for (int id = 0; id < ours.vocabSize(); id++) if (ours.isSpecial(id)) specials.add(ours.tokenText(id));
        List<String> mismatches = new ArrayList<>();
        try (HuggingFaceTokenizer rust = HuggingFaceTokenizer.builder()
                .optTokenizerPath(Shared.tokenizerDir(name))
                .optTruncation(false).optPadding(false).build()) {
            RandomText texts = new RandomText(seed, specials);
            for (int i = 0; i < STRINGS; i++) {
                String text = texts.next();
                for (boolean special : new boolean[]{false, true}) {
                    long[] expected = rust.encode(text, special, false).getIds();
                    int[] actual = ours.encode(text, special);
                    if (!Arrays.equals(expected, toLongs(actual))) {
                        mismatches.add("encode special=" + special + " " + escape(text) + "\n  rust " + Arrays.toString(expected) + "\n  ours " + Arrays.toString(actual));
                    }
                    compareDecode(rust, ours, expected, mismatches);
                }
            }
            Random random = new Random(seed);
            for (int i = 0; i < ID_SEQUENCES; i++) {
                long[] ids = new long[1 + random.nextInt(12)];
                for (int k = 0; k < ids.length; k++) ids[k] = randomId(random, ours, specials);
                compareDecode(rust, ours, ids, mismatches);
            }
        }
        System.out.printf("%s: seed %d, %d strings x2 + %d id sequences vs Rust tokenizers: %d mismatches%n",
                name, seed, STRINGS, ID_SEQUENCES, mismatches.size());
        assertEquals(List.of(), mismatches.stream().limit(5).toList(), name + " seed " + seed + ": " + mismatches.size() + " mismatches");
    }

    /** Mostly low ids (bytes, short pieces: likely to form partial UTF-8), some anywhere, some special. */
    private static long randomId(Random random, Tokenizer ours, List<String> specials) {
        int r = random.nextInt(10);
        if (r < 5) return random.nextInt(Math.min(600, ours.vocabSize()));
        if (r < 9 || specials.isEmpty()) return random.nextInt(ours.vocabSize());
        return ours.encode(specials.get(random.nextInt(specials.size())), false)[0];
    }

    private static void compareDecode(HuggingFaceTokenizer rust, Tokenizer ours, long[] ids, List<String> mismatches) {
        int[] intIds = Arrays.stream(ids).mapToInt(l -> (int) l).toArray();
        for (boolean skip : new boolean[]{false, true}) {
            String expected = rust.decode(ids, skip);
            String actual = ours.decode(intIds, skip);
            if (!expected.equals(actual)) {
                mismatches.add("decode skip=" + skip + " " + Arrays.toString(ids) + "\n  rust " + escape(expected) + "\n  ours " + escape(actual));
            }
        }
    }

    private static long[] toLongs(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0xfeff || cp == 0x200b || cp == 0x200d) sb.append(String.format("\\u%04x", cp));
            else sb.appendCodePoint(cp);
        });
        return sb.append('"').toString();
    }
}
