package dev.pagoda.sampling.guided;

import dk.brics.automaton.Automaton;

/**
 * Makes an automaton deterministic, and minimal when that is cheap. dk.brics.automaton's
 * minimization is quadratic on long chains (its Hopcroft removes from linked lists; Valmari's is
 * slower still on this alphabet): a 1,000-character maxLength (14,000 states) took about 10 s.
 * Above {@link #MINIMIZE_LIMIT} states an automaton is only determinized: still exact, at most
 * some redundant states, and those come from counted repetition, whose chain is minimal anyway.
 */
final class Minimizer {
    static final int MINIMIZE_LIMIT = 2_000;

    private Minimizer() {
    }

    static void shrink(Automaton a) {
        if (a.getNumberOfStates() <= MINIMIZE_LIMIT) a.minimize();
        else a.determinize();
    }
}
