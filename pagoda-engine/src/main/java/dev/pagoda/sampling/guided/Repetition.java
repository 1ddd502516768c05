package dev.pagoda.sampling.guided;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.State;
import dk.brics.automaton.Transition;

import java.util.HashMap;
import java.util.Map;

/**
 * Counted repetition {@code x{min,max}} built directly as a deterministic chain when {@code x} is
 * prefix-free (no member is a proper prefix of another, as one JSON string character): copy k's
 * accepting state is copy k+1's start, so the result is deterministic and minimal without the
 * library's determinization and minimization of max copies, which is quadratic in practice
 * (a 1,000-character maxLength took about 10 s that way). Other operands use the library.
 */
final class Repetition {
    private Repetition() {
    }

    /** {@code x} repeated min to max times (max -1: unbounded). */
    static Automaton of(Automaton x, int min, int max) {
        Automaton u = x.clone();
        Minimizer.shrink(u);
        if (max < 0 || !prefixFree(u)) return max < 0 ? u.repeat(min) : u.repeat(min, max);
        State[] boundary = new State[max + 1];
        for (int k = 0; k <= max; k++) {
            boundary[k] = new State();
            boundary[k].setAccept(k >= min);
        }
        for (int k = 0; k < max; k++) {
            Map<State, State> copy = new HashMap<>();
            for (State s : u.getStates()) {
                copy.put(s, s == u.getInitialState() ? boundary[k] : s.isAccept() ? boundary[k + 1] : new State());
            }
            for (State s : u.getStates()) {
                for (Transition t : s.getTransitions()) {
                    copy.get(s).addTransition(new Transition(t.getMin(), t.getMax(), copy.get(t.getDest())));
                }
            }
        }
        Automaton a = new Automaton();
        a.setInitialState(boundary[0]);
        a.setDeterministic(true);
        return a;
    }

    /** A minimal DFA whose start does not accept and whose accepting states have no way out. */
    private static boolean prefixFree(Automaton u) {
        if (u.getInitialState().isAccept()) return false;
        for (State s : u.getAcceptStates()) if (!s.getTransitions().isEmpty()) return false;
        return true;
    }
}
