package dev.pagoda.sampling.guided;

import dev.pagoda.testutil.Shared;
import dev.pagoda.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Token masks on hand-made and real vocabularies: partial UTF-8, byte fallback, EOS, special tokens. */
class TokenMaskTest {
    static final int EOS = 9;
    // 0 "a", 1 "b", 2 "ab", 3 C3 (first byte of é), 4 A9 (its second byte), 5 "é", 6 E6 97 (two of 日's three bytes),
    // 7 A5 (日's last byte), 8 "" (empty), 9 EOS, 10 special "<x>", 11 "ba"
    static final byte[][] VOCAB = {
            utf8("a"), utf8("b"), utf8("ab"), {(byte) 0xC3}, {(byte) 0xA9}, utf8("é"), {(byte) 0xE6, (byte) 0x97},
            {(byte) 0xA5}, new byte[0], null, null, utf8("ba")};

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static GrammarCompiler compiler(int width) {
        return new GrammarCompiler(new TokenTrie(width, VOCAB, Set.of(EOS)), 8);
    }

    static List<Integer> allowed(GuidedState s) {
        return s.allowedTokens().toBitSet().stream().boxed().toList();
    }

    @Test
    void partialUtf8TokensWalkByBytes() {
        GuidedState s = compiler(16).compile(new GuidedSpec.Regex("(é|日)+")).newState();
        assertEquals(List.of(3, 5, 6), allowed(s), "the first byte of é or 日, or all of é");
        s.advance(3);
        assertFalse(s.isAccepting());
        assertEquals(List.of(4), allowed(s), "only é's second byte; no EOS in the middle of a character");
        s.advance(4);
        assertTrue(s.isAccepting());
        assertEquals(List.of(3, 5, 6, EOS), allowed(s));
        s.advance(6);
        assertEquals(List.of(7), allowed(s));
        s.advance(7);
        s.advance(EOS);
        assertTrue(s.isFinished());
        assertThrows(IllegalStateException.class, s::allowedTokens);
    }

    @Test
    void eosOnlyInAcceptingStatesAndTerminalStates() {
        GuidedState s = compiler(16).compile(new GuidedSpec.Choice(List.of("ab", "abba"))).newState();
        assertEquals(List.of(0, 2), allowed(s));
        assertThrows(IllegalArgumentException.class, () -> s.advance(EOS), "EOS before the output is complete");
        assertThrows(IllegalArgumentException.class, () -> s.advance(1), "a token the grammar rejects");
        s.advance(2);
        assertTrue(s.isAccepting());
        assertFalse(s.isTerminal());
        assertEquals(List.of(1, EOS, 11), allowed(s));
        s.advance(1);
        assertEquals(List.of(0), allowed(s));
        s.advance(0);
        assertTrue(s.isTerminal());
        assertEquals(List.of(EOS), allowed(s), "only EOS once nothing can follow");
    }

    @Test
    void emptySpecialAndOutOfVocabularyTokensAreNeverAllowed() {
        // A logits row wider than the vocabulary (as Qwen's 151,936 vs 151,665): the extra ids are never allowed.
        GuidedState s = compiler(70).compile(new GuidedSpec.Regex("[ab]*")).newState();
        assertEquals(List.of(0, 1, 2, EOS, 11), allowed(s));
        float[] logits = new float[70];
        Arrays.fill(logits, 1.5f);
        s.applyMask(logits, 0);
        for (int i = 0; i < 70; i++) {
            assertEquals(s.allowedTokens().isAllowed(i) ? 1.5f : Float.NEGATIVE_INFINITY, logits[i], "logit " + i);
        }
        assertEquals(5, s.allowedTokens().count());
    }

    @Test
    void masksAreCachedPerStateAndGrammarsPerConstraint() {
        GrammarCompiler c = compiler(16);
        CompiledGrammar g = c.compile(new GuidedSpec.JsonSchema("{\"type\": \"string\", \"maxLength\": 3}"));
        assertSame(g, c.compile(new GuidedSpec.JsonSchema("{\"type\":\"string\",\"maxLength\":3}")), "same schema, other spacing");
        CompiledGrammar r = c.compile(new GuidedSpec.Regex("é?a"));
        GuidedState a = r.newState();
        GuidedState b = r.newState();
        assertSame(a.allowedTokens(), b.allowedTokens());
        assertEquals(1, r.cachedMasks());
        GuidedState fork = a.copy();
        fork.advance(3);
        assertEquals(List.of(4), allowed(fork));
        assertEquals(List.of(0, 3, 5), allowed(a), "the original stays where it was");
        assertEquals(2, r.cachedMasks());
        assertThrows(GrammarException.class, () -> c.compile(new GuidedSpec.Choice(List.of())));
    }

    @Test
    void byteFallbackTokensOfSentencePiece() {
        Tokenizer t = Tokenizer.load(Shared.path("models/stories260K/stories260K.gguf"));
        TokenTrie trie = TokenTrie.of(t, 512);
        int c3 = id(t, "<0xC3>");
        int a9 = id(t, "<0xA9>");
        int quote = id(t, "<0x22>");
        GuidedState s = new GrammarCompiler(trie, 4).compile(new GuidedSpec.Regex("\"é+\"")).newState();
        assertTrue(s.allowedTokens().isAllowed(quote));
        s.advance(quote);
        TokenMask m = s.allowedTokens();
        assertTrue(m.isAllowed(c3));
        assertFalse(m.isAllowed(a9));
        s.advance(c3);
        assertTrue(s.allowedTokens().isAllowed(a9));
        assertEquals(1, s.allowedTokens().count(), "only the byte that completes é");
        s.advance(a9);
        // Special tokens (BOS, the byte-fallback-free <unk>) never; EOS only at the end.
        for (int eos : t.eosTokenIds()) assertFalse(s.allowedTokens().isAllowed(eos));
        for (int id = 0; id < 512; id++) if (t.isSpecial(id)) assertFalse(s.allowedTokens().isAllowed(id), t.tokenText(id));
        s.advance(quote);
        assertTrue(s.isTerminal());
        for (int eos : t.eosTokenIds()) assertTrue(s.allowedTokens().isAllowed(eos));
    }

    static int id(Tokenizer t, String text) {
        for (int i = 0; i < t.vocabSize(); i++) if (t.tokenText(i).equals(text)) return i;
        throw new AssertionError("no token " + text);
    }
}
