package dev.pagoda.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Streaming: the concatenated deltas equal the full decode, and no delta splits a character. */
class IncrementalDetokenizerTest {
    static final List<String> TOKENIZERS = Shared.TOKENIZERS;

    @ParameterizedTest
    @FieldSource("TOKENIZERS")
    void deltasConcatenateToFullDecode(String name) {
        Tokenizer tokenizer = Tokenizer.fromHfDirectory(Shared.tokenizerDir(name));
        List<int[]> sequences = new ArrayList<>();
        for (JsonNode c : Shared.referenceCases(name)) {
            sequences.add(Shared.ints(c.path("ids")));
            sequences.add(Shared.ints(c.path("ids_with_special")));
        }
        // Random ids: partial UTF-8, byte tokens, specials in odd places.
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            int[] ids = new int[1 + random.nextInt(20)];
            for (int k = 0; k < ids.length; k++) {
                ids[k] = random.nextInt(3) == 0 ? random.nextInt(tokenizer.vocabSize()) : random.nextInt(600);
            }
            sequences.add(ids);
        }
        for (int[] ids : sequences) {
            for (boolean skip : new boolean[]{false, true}) {
                assertEquals(tokenizer.decode(ids, skip), stream(tokenizer, ids, skip), name + " skip=" + skip);
            }
        }
    }

    @Test
    void holdsBackPartialCharactersAndEmitsThemWhole() {
        Tokenizer tokenizer = Tokenizer.fromHfDirectory(Shared.tokenizerDir("mixtral-8x22b-v0.1"));
        // "▁" then 日 as byte-fallback tokens <0xE6><0x97><0xA5>, then "▁ok".
        int[] ids = tokenizer.encode("日 ok", false);
        IncrementalDetokenizer d = new IncrementalDetokenizer(tokenizer, true);
        StringBuilder out = new StringBuilder();
        List<String> deltas = new ArrayList<>();
        for (int id : ids) deltas.add(d.add(id));
        deltas.add(d.finish());
        deltas.forEach(out::append);
        assertEquals("日 ok", out.toString());
        assertEquals(List.of("日", " ok"), deltas.stream().filter(s -> !s.isEmpty()).toList());
    }

    @Test
    void continuingAPromptKeepsTheLeadingSpace() {
        Tokenizer tokenizer = Tokenizer.load(Shared.root().resolve("models/stories260K/stories260K.gguf"));
        int[] prompt = tokenizer.encode("Once upon", true);
        int[] generated = java.util.Arrays.copyOfRange(tokenizer.encode("Once upon a time", true), prompt.length, 5);
        IncrementalDetokenizer d = new IncrementalDetokenizer(tokenizer, true, prompt);
        StringBuilder out = new StringBuilder();
        for (int id : generated) out.append(d.add(id));
        out.append(d.finish());
        assertEquals(" a time", out.toString());
        assertEquals("a time", stream(tokenizer, generated, true)); // alone, the text starts there: no leading space
    }

    @Test
    void tokenBytesAreWhatEachTokenContributes() {
        Tokenizer mixtral = Tokenizer.fromHfDirectory(Shared.tokenizerDir("mixtral-8x22b-v0.1"));
        int byteE6 = 3 + 0xE6; // byte-fallback tokens <0x00>..<0xFF> start at id 3
        assertEquals("<0xE6>", mixtral.tokenText(byteE6));
        assertArrayEquals(new byte[]{(byte) 0xE6}, mixtral.tokenBytes(byteE6));
        assertArrayEquals(" the".getBytes(StandardCharsets.UTF_8), mixtral.tokenBytes(mixtral.encode("the", false)[0]));
        assertArrayEquals("<s>".getBytes(StandardCharsets.UTF_8), mixtral.tokenBytes(1));
        Tokenizer qwen = Tokenizer.fromHfDirectory(Shared.tokenizerDir("qwen3"));
        assertArrayEquals(" the".getBytes(StandardCharsets.UTF_8), qwen.tokenBytes(qwen.encode(" the", false)[0]));
        assertEquals("Ġthe", qwen.tokenText(qwen.encode(" the", false)[0]));
        // 😀 is F0 9F 98 80: the byte-level tokens carry the raw, partial bytes.
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : qwen.encode("😀", false)) bytes.writeBytes(qwen.tokenBytes(id));
        assertArrayEquals("😀".getBytes(StandardCharsets.UTF_8), bytes.toByteArray());
    }

    static String stream(Tokenizer tokenizer, int[] ids, boolean skip) {
        IncrementalDetokenizer d = new IncrementalDetokenizer(tokenizer, skip);
        StringBuilder out = new StringBuilder();
        for (int id : ids) out.append(checked(d.add(id)));
        out.append(checked(d.finish()));
        return out.toString();
    }

    private static String checked(String delta) {
        for (int i = 0; i < delta.length(); i++) {
            char c = delta.charAt(i);
            boolean paired = Character.isHighSurrogate(c) ? i + 1 < delta.length() && Character.isLowSurrogate(delta.charAt(++i))
                    : !Character.isLowSurrogate(c);
            assertFalse(!paired, "delta splits a surrogate pair: " + delta);
        }
        return delta;
    }
}
