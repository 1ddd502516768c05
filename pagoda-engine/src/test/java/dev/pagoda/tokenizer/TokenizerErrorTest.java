package dev.pagoda.tokenizer;

import dev.pagoda.PagodaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Unsupported tokenizers fail with a message naming what is not supported. */
class TokenizerErrorTest {
    @TempDir
    Path dir;

    private String loadError(String tokenizerJson) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson);
        return assertThrows(PagodaException.class, () -> Tokenizer.load(dir)).getMessage();
    }

    private static String bpe(String extra) {
        return "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"ab\": 2}, \"merges\": [\"a b\"]}" + extra + "}";
    }

    @Test
    void unsupportedModelType() throws IOException {
        assertEquals("tokenizer.json: model type 'Unigram' is not supported",
                loadError("{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}"));
    }

    @Test
    void unsupportedComponents() throws IOException {
        assertEquals("tokenizer.json: normalizer type 'BertNormalizer' is not supported",
                loadError(bpe(", \"normalizer\": {\"type\": \"BertNormalizer\"}")));
        assertEquals("tokenizer.json: pre-tokenizer type 'Whitespace' is not supported",
                loadError(bpe(", \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Whitespace\"}]}")));
        assertEquals("tokenizer.json: decoder type 'WordPiece' is not supported",
                loadError(bpe(", \"decoder\": {\"type\": \"WordPiece\"}")));
        assertEquals("tokenizer.json: post-processor type 'BertProcessing' is not supported",
                loadError(bpe(", \"post_processor\": {\"type\": \"BertProcessing\"}")));
        assertEquals("tokenizer.json: Split pre-tokenizer behavior 'Contiguous' is not supported",
                loadError(bpe(", \"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"String\": \" \"}, \"behavior\": \"Contiguous\"}")));
    }

    @Test
    void brokenMerge() throws IOException {
        assertEquals("tokenizer.json: merge 'a c' uses a token that is not in the vocab",
                loadError("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [\"a c\"]}}"));
    }

    @Test
    void unsupportedGguf() {
        assertEquals("GGUF: tokenizer model 'bert' is not supported", assertThrows(PagodaException.class,
                () -> Tokenizer.fromGguf(Map.of("tokenizer.ggml.model", "bert", "tokenizer.ggml.tokens", List.of("a")))).getMessage());
        assertEquals("GGUF: tokenizer pre-tokenizer 'falcon' is not supported", assertThrows(PagodaException.class,
                () -> Tokenizer.fromGguf(Map.of("tokenizer.ggml.model", "gpt2", "tokenizer.ggml.pre", "falcon",
                        "tokenizer.ggml.tokens", List.of("a"), "tokenizer.ggml.merges", List.of()))).getMessage());
        assertEquals("GGUF: no tokenizer (tokenizer.ggml.model is missing)",
                assertThrows(PagodaException.class, () -> Tokenizer.fromGguf(Map.of())).getMessage());
    }

    @Test
    void pathWithoutTokenizer() {
        assertEquals(dir + ": expected tokenizer.json or exactly one .gguf file, found neither",
                assertThrows(PagodaException.class, () -> Tokenizer.load(dir)).getMessage());
    }
}
