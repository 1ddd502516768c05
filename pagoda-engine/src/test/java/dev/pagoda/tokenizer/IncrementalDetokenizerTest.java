package dev.pagoda.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

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
