package dev.pagoda.sampling.guided;

import dev.pagoda.tokenizer.Tokenizer;
import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicOperations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles guided-decoding constraints for one vocabulary and caches the results by constraint
 * (least recently used first out), so that requests with the same schema share one automaton and
 * its token masks. Thread-safe: automaton construction runs under one lock (dk.brics.automaton
 * renumbers the states of its inputs), mask computation does not.
 */
public final class GrammarCompiler {
    /** Automata above this many states are refused, to bound compile time and memory. */
    public static final int MAX_STATES = 100_000;
    private static final Object BUILD_LOCK = new Object();

    private final TokenTrie trie;
    private final Map<String, CompiledGrammar> cache;

    public GrammarCompiler(TokenTrie trie, int cacheCapacity) {
        this.trie = trie;
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, CompiledGrammar> eldest) {
                return size() > cacheCapacity;
            }
        };
    }

    /** A compiler for a tokenizer's vocabulary and logits rows of {@code width} entries, caching 64 grammars. */
    public static GrammarCompiler of(Tokenizer tokenizer, int width) {
        return new GrammarCompiler(TokenTrie.of(tokenizer, width), 64);
    }

    public TokenTrie trie() {
        return trie;
    }

    /** The compiled grammar of the constraint; a GrammarException (HTTP 400) if it cannot be compiled. */
    public CompiledGrammar compile(GuidedSpec spec) {
        String key = spec.key();
        synchronized (cache) {
            CompiledGrammar g = cache.get(key);
            if (g != null) return g;
        }
        long t0 = System.nanoTime();
        ByteDfa dfa = dfa(spec);
        CompiledGrammar g = new CompiledGrammar(dfa, trie, System.nanoTime() - t0);
        synchronized (cache) {
            CompiledGrammar raced = cache.putIfAbsent(key, g);
            return raced != null ? raced : g;
        }
    }

    /** The minimal byte DFA of the constraint. */
    static ByteDfa dfa(GuidedSpec spec) {
        synchronized (BUILD_LOCK) {
            Automaton a = automaton(spec);
            if (a.getNumberOfStates() > MAX_STATES) {
                throw new GrammarException("the constraint is too large: " + a.getNumberOfStates() + " automaton states (at most " + MAX_STATES + ")");
            }
            return ByteDfa.of(a);
        }
    }

    /** The automaton of the constraint's UTF-8 bytes (callers hold BUILD_LOCK). */
    private static Automaton automaton(GuidedSpec spec) {
        return switch (spec) {
            case GuidedSpec.JsonSchema s -> JsonSchemaCompiler.compile(JsonSchemaCompiler.parse(s.schema()));
            case GuidedSpec.JsonObject o -> JsonSchemaCompiler.anyObject();
            case GuidedSpec.Regex r -> RegexParser.parse(r.pattern());
            case GuidedSpec.Choice c -> {
                if (c.choices().isEmpty()) throw new GrammarException("guided_choice must list at least one choice");
                List<Automaton> parts = new ArrayList<>();
                for (String choice : c.choices()) parts.add(Utf8Automata.literal(choice));
                yield BasicOperations.union(parts);
            }
        };
    }
}
