package dev.pagoda.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GGUF-embedded tokenizers: llama.cpp's ids for stories260K, and the same ids as tokenizer.json for the fixtures. */
class GgufTokenizerTest {
    static final List<String> FIXTURES = Shared.FIXTURES;

    static final List<String> SAMPLES = List.of(
            "", " ", "Hello, world!", "Once upon a time, there was a little girl.",
            "  two  spaces\tand a tab\nnewline\r\nCRLF", "café naïve résumé — Zürich", "日本語のテキスト 中文",
            "emoji 😀👨‍👩‍👧 🇯🇵", "numbers 1234567 3.14159 -42", "code: for (int i = 0; i < n; i++) { x += i; }",
            "DON'T I'M you're we'll", "   leading and trailing   ", "\n\n\n", "<s>[INST] hi [/INST]</s>",
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhello<|eot_id|>",
            "<|endoftext|> text after", "a<unk>b", "ÅÅ ﬁ Ｆｕｌｌ", "x\u0000y\u001bz");

    @Test
    void stories260KMatchesLlamaCpp() {
        Tokenizer tokenizer = Tokenizer.load(Shared.root().resolve("models/stories260K/stories260K.gguf"));
        JsonNode cases = Shared.json(Shared.root().resolve("reference/stories260K-llamacpp.json")).path("cases");
        int n = 0;
        for (JsonNode c : cases) {
            int[] expected = Shared.ints(c.path("prompt_token_ids"));
            assertArrayEquals(expected, tokenizer.encode(c.path("prompt").asText(), true), c.path("id").asText());
            n++;
        }
        assertEquals(6, n);
        assertArrayEquals(new int[]{1, 403, 407, 261, 378}, tokenizer.encode("Once upon a time", true));
        assertEquals(OptionalInt.of(1), tokenizer.bosTokenId());
        assertEquals(Set.of(2), tokenizer.eosTokenIds());
        assertEquals(512, tokenizer.vocabSize());
        assertEquals("Once upon a time", tokenizer.decode(tokenizer.encode("Once upon a time", true), true));
        assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>"), tokenizer.specialTokenStrings());
    }

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void ggufAndTokenizerJsonAgree(String fixture) {
        Path dir = Shared.root().resolve("models/fixtures").resolve(fixture);
        Tokenizer hf = Tokenizer.load(dir.resolve("hf"));
        Tokenizer gguf = Tokenizer.load(dir.resolve("gguf/model-q8_0.gguf"));
        assertEquals(hf.vocabSize(), gguf.vocabSize());
        for (String s : SAMPLES) {
            for (boolean special : new boolean[]{false, true}) {
                int[] a = hf.encode(s, special);
                int[] b = gguf.encode(s, special);
                assertArrayEquals(a, b, fixture + " special=" + special + " " + s + ": hf " + Arrays.toString(a) + " gguf " + Arrays.toString(b));
                assertEquals(hf.decode(a, false), gguf.decode(b, false), fixture + " decode " + s);
                assertEquals(hf.decode(a, true), gguf.decode(b, true), fixture + " decode skip " + s);
            }
        }
        // Qwen's GGUF names a BOS id (never added) where its tokenizer_config.json has none.
        if (hf.bosTokenId().isPresent()) assertEquals(hf.bosTokenId(), gguf.bosTokenId());
        assertTrue(gguf.eosTokenIds().containsAll(hf.eosTokenIds()), fixture + " eos " + hf.eosTokenIds() + " vs " + gguf.eosTokenIds());
        assertTrue(gguf.chatTemplate().isPresent());
        for (int id = 0; id < hf.vocabSize(); id++) {
            assertEquals(hf.tokenText(id), gguf.tokenText(id), fixture + " token " + id);
            assertArrayEquals(hf.tokenBytes(id), gguf.tokenBytes(id), fixture + " token bytes " + id);
            assertEquals(hf.isSpecial(id), gguf.isSpecial(id), fixture + " special " + id);
        }
    }
}
