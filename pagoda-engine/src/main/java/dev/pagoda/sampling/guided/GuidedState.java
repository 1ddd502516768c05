package dev.pagoda.sampling.guided;

/**
 * Where one sequence is in its grammar. Before sampling, {@link #allowedTokens()} (or
 * {@link #applyMask}) restricts the logits; after it, {@link #advance} consumes the token. An
 * end-of-sequence token is allowed only in an accepting state and finishes the state. Not
 * thread-safe: one per sequence.
 */
public final class GuidedState {
    private final CompiledGrammar grammar;
    private int state;
    private boolean finished;

    GuidedState(CompiledGrammar grammar, int state) {
        this.grammar = grammar;
        this.state = state;
    }

    /** The tokens that may come next (EOS only in an accepting state; none once finished). */
    public TokenMask allowedTokens() {
        if (finished) throw new IllegalStateException("the guided sequence has finished");
        return grammar.mask(state);
    }

    /** Sets the logits of disallowed tokens in {@code logits[off, off + width)} to -infinity. */
    public void applyMask(float[] logits, int off) {
        allowedTokens().apply(logits, off);
    }

    /** Consumes a token the mask allowed; an IllegalArgumentException for one it did not. */
    public void advance(int tokenId) {
        if (finished) throw new IllegalStateException("the guided sequence has finished");
        if (grammar.trie().isEos(tokenId)) {
            if (!grammar.dfa().isAccepting(state)) throw new IllegalArgumentException("EOS token " + tokenId + " before the output is complete");
            finished = true;
            return;
        }
        byte[] bytes = grammar.trie().bytes(tokenId);
        int next = bytes == null ? ByteDfa.DEAD : grammar.dfa().walk(state, bytes);
        if (next == ByteDfa.DEAD) throw new IllegalArgumentException("token " + tokenId + " is not allowed here by the grammar");
        state = next;
    }

    /** Whether the output so far is complete (EOS may come now). */
    public boolean isAccepting() {
        return grammar.dfa().isAccepting(state);
    }

    /** Whether nothing can follow but EOS (or the sequence has already finished). */
    public boolean isTerminal() {
        return finished || !grammar.dfa().hasExit(state);
    }

    /** Whether EOS has been consumed. */
    public boolean isFinished() {
        return finished;
    }

    /** An independent cursor at the same place (for a sequence forked from this one, as in beam search). */
    public GuidedState copy() {
        GuidedState c = new GuidedState(grammar, state);
        c.finished = finished;
        return c;
    }
}
