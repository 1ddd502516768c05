package dev.pagoda.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every case of shared/reference/tokenizers/*.json (made with the Rust tokenizers library) must match exactly. */
class ReferenceTokenizationTest {
    static final List<String> TOKENIZERS = Shared.TOKENIZERS;

    @ParameterizedTest
    @FieldSource("TOKENIZERS")
    void matchesReference(String name) {
        Tokenizer tokenizer = Tokenizer.fromHfDirectory(Shared.tokenizerDir(name));
        List<String> failures = new ArrayList<>();
        int cases = 0;
        for (JsonNode c : Shared.referenceCases(name)) {
            cases++;
            String id = c.path("id").asText();
            String text = c.path("text").asText();
            int[] ids = tokenizer.encode(text, false);
            int[] withSpecial = tokenizer.encode(text, true);
            check(failures, id + " ids", Arrays.toString(Shared.ints(c.path("ids"))), Arrays.toString(ids));
            check(failures, id + " ids_with_special", Arrays.toString(Shared.ints(c.path("ids_with_special"))), Arrays.toString(withSpecial));
            int[] refIds = Shared.ints(c.path("ids"));
            int[] refWithSpecial = Shared.ints(c.path("ids_with_special"));
            check(failures, id + " decoded", c.path("decoded").asText(), tokenizer.decode(refIds, false));
            check(failures, id + " decoded_with_special_skip", c.path("decoded_with_special_skip").asText(), tokenizer.decode(refWithSpecial, true));
            check(failures, id + " decoded_with_special_keep", c.path("decoded_with_special_keep").asText(), tokenizer.decode(refWithSpecial, false));
        }
        System.out.printf("%s: %d reference cases, %d mismatches%n", name, cases, failures.size());
        assertEquals(List.of(), failures.stream().limit(10).toList(), name + ": " + failures.size() + " mismatches");
    }

    private static void check(List<String> failures, String what, String expected, String actual) {
        if (!expected.equals(actual)) failures.add(what + ": expected " + expected + " but was " + actual);
    }
}
