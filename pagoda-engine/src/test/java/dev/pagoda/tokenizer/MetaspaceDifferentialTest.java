package dev.pagoda.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Metaspace pre-tokenizer and decoder (newer Llama-2 / Mistral tokenizer.json files), which the
 * six shared tokenizers do not use: a small synthetic tokenizer compared with the Rust library.
 */
class MetaspaceDifferentialTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"always", "first", "never"})
    void agreesWithRustTokenizers(String prependScheme) throws Exception {
        String json = """
                {"version": "1.0",
                 "added_tokens": [{"id": 7, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "%s", "split": true},
                 "post_processor": null,
                 "decoder": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "%s", "split": true},
                 "model": {"type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false, "byte_fallback": false,
                   "vocab": {"\u2581": 0, "h": 1, "i": 2, "a": 3, "\u2581h": 4, "\u2581hi": 5, "ha": 6, "<s>": 7},
                   "merges": ["\u2581 h", "\u2581h i", "h a"]}}
                """.formatted(prependScheme, prependScheme);
        Files.writeString(dir.resolve("tokenizer.json"), json);
        Tokenizer ours = Tokenizer.fromHfDirectory(dir);
        Random random = new Random(11);
        String alphabet = "hia  ";
        try (HuggingFaceTokenizer rust = HuggingFaceTokenizer.builder().optTokenizerPath(dir)
                .optTruncation(false).optPadding(false).build()) {
            for (int n = 0; n < 200; n++) {
                StringBuilder sb = new StringBuilder();
                int len = random.nextInt(12);
                for (int k = 0; k < len; k++) sb.append(random.nextInt(8) == 0 ? "<s>" : String.valueOf(alphabet.charAt(random.nextInt(alphabet.length()))));
                String text = sb.toString();
                long[] expected = rust.encode(text, false, false).getIds();
                int[] actual = ours.encode(text, false);
                assertArrayEquals(expected, Arrays.stream(actual).asLongStream().toArray(), prependScheme + " encode '" + text + "'");
                for (boolean skip : new boolean[]{false, true}) {
                    assertEquals(rust.decode(expected, skip), ours.decode(actual, skip), prependScheme + " decode '" + text + "' skip=" + skip);
                    assertEquals(ours.decode(actual, skip), IncrementalDetokenizerTest.stream(ours, actual, skip), "streamed '" + text + "'");
                }
            }
        }
    }
}
