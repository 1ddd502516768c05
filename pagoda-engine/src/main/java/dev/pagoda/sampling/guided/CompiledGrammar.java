package dev.pagoda.sampling.guided;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A constraint compiled for one vocabulary: its byte automaton and the token mask of each state,
 * computed the first time a sequence reaches the state and then shared by every sequence using
 * the grammar. Thread-safe (two threads may compute the same mask once each; both are equal).
 */
public final class CompiledGrammar {
    private final ByteDfa dfa;
    private final TokenTrie trie;
    private final AtomicReferenceArray<TokenMask> masks;
    private final AtomicInteger computed = new AtomicInteger();
    private final long compileNanos;

    CompiledGrammar(ByteDfa dfa, TokenTrie trie, long compileNanos) {
        this.dfa = dfa;
        this.trie = trie;
        this.masks = new AtomicReferenceArray<>(dfa.stateCount());
        this.compileNanos = compileNanos;
    }

    /** A cursor at the start of the grammar, for one sequence. */
    public GuidedState newState() {
        return new GuidedState(this, dfa.start());
    }

    TokenMask mask(int state) {
        TokenMask m = masks.get(state);
        if (m == null) {
            m = new TokenMask(trie.allowed(dfa, state), trie.width());
            if (masks.compareAndSet(state, null, m)) computed.incrementAndGet();
            else m = masks.get(state);
        }
        return m;
    }

    ByteDfa dfa() {
        return dfa;
    }

    TokenTrie trie() {
        return trie;
    }

    public int stateCount() {
        return dfa.stateCount();
    }

    /** Masks computed so far. */
    public int cachedMasks() {
        return computed.get();
    }

    /** Time to build the automaton (schema or regex to minimal byte DFA), in nanoseconds. */
    public long compileNanos() {
        return compileNanos;
    }

    /** Bytes held by this grammar: its automaton and the masks cached so far (not the shared trie). */
    public long memoryBytes() {
        long bytes = dfa.memoryBytes() + 16L * masks.length();
        for (int i = 0; i < masks.length(); i++) {
            TokenMask m = masks.get(i);
            if (m != null) bytes += m.memoryBytes();
        }
        return bytes;
    }
}
