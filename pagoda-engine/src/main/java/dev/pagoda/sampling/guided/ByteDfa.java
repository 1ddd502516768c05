package dev.pagoda.sampling.guided;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.State;
import dk.brics.automaton.Transition;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A deterministic automaton over bytes as a flat transition table. Bytes that behave
 * alike everywhere share a class, so a row has one entry per class rather than 256. Only live
 * states (from which an accepting state is reachable) exist: a transition that could never lead
 * to acceptance is {@link #DEAD}, so every state reached by valid input can still finish.
 */
public final class ByteDfa {
    public static final int DEAD = -1;

    private final byte[] byteClass = new byte[256];
    private final int classes;
    private final int[] next; // state * classes + class
    private final boolean[] accepting;
    private final boolean[] hasExit;

    /** Determinizes {@code automaton} (chars 0-255 as bytes), minimizing it when small (see {@link Minimizer}). */
    static ByteDfa of(Automaton automaton) {
        Automaton a = automaton.clone();
        Minimizer.shrink(a);
        return new ByteDfa(a);
    }

    private ByteDfa(Automaton a) {
        Set<State> live = liveStates(a);
        if (!live.contains(a.getInitialState())) throw new GrammarException("the constraint matches no string");
        // Byte classes: cut 0..255 at every transition boundary.
        boolean[] cut = new boolean[257];
        cut[0] = true;
        for (State s : live) {
            for (Transition t : s.getTransitions()) {
                if (!live.contains(t.getDest()) || t.getMin() > 255) continue;
                cut[t.getMin()] = true;
                cut[Math.min(t.getMax(), 255) + 1] = true;
            }
        }
        int c = -1;
        for (int b = 0; b < 256; b++) {
            if (cut[b]) c++;
            byteClass[b] = (byte) c;
        }
        classes = c + 1;
        // Number states breadth-first from the initial state.
        Map<State, Integer> ids = new HashMap<>();
        List<State> order = new ArrayList<>();
        ArrayDeque<State> queue = new ArrayDeque<>();
        ids.put(a.getInitialState(), 0);
        order.add(a.getInitialState());
        queue.add(a.getInitialState());
        while (!queue.isEmpty()) {
            for (Transition t : queue.poll().getSortedTransitions(false)) {
                State d = t.getDest();
                if (live.contains(d) && t.getMin() <= 255 && !ids.containsKey(d)) {
                    ids.put(d, order.size());
                    order.add(d);
                    queue.add(d);
                }
            }
        }
        int n = order.size();
        next = new int[n * classes];
        Arrays.fill(next, DEAD);
        accepting = new boolean[n];
        hasExit = new boolean[n];
        for (int i = 0; i < n; i++) {
            State s = order.get(i);
            accepting[i] = s.isAccept();
            for (Transition t : s.getTransitions()) {
                Integer d = ids.get(t.getDest());
                if (d == null || t.getMin() > 255) continue;
                for (int b = t.getMin(); b <= Math.min(t.getMax(), 255); b++) next[i * classes + byteClass[b]] = d;
                hasExit[i] = true;
            }
        }
    }

    private static Set<State> liveStates(Automaton a) {
        Map<State, List<State>> reverse = new HashMap<>();
        Set<State> all = a.getStates();
        ArrayDeque<State> work = new ArrayDeque<>();
        Set<State> live = new HashSet<>();
        for (State s : all) {
            if (s.isAccept() && live.add(s)) work.add(s);
            for (Transition t : s.getTransitions()) reverse.computeIfAbsent(t.getDest(), k -> new ArrayList<>()).add(s);
        }
        while (!work.isEmpty()) {
            for (State p : reverse.getOrDefault(work.poll(), List.of())) {
                if (live.add(p)) work.add(p);
            }
        }
        return live;
    }

    public int start() {
        return 0;
    }

    public int stateCount() {
        return accepting.length;
    }

    /** The state after byte {@code b} (0-255), or {@link #DEAD}. */
    public int step(int state, int b) {
        return next[state * classes + byteClass[b & 0xFF]];
    }

    /** The state after all of {@code bytes}, or {@link #DEAD}. */
    public int walk(int state, byte[] bytes) {
        for (int i = 0; i < bytes.length && state != DEAD; i++) state = step(state, bytes[i]);
        return state;
    }

    public boolean isAccepting(int state) {
        return accepting[state];
    }

    /** Whether any byte can follow (false: the only way on is to stop). */
    public boolean hasExit(int state) {
        return hasExit[state];
    }

    /** Whether the whole of {@code bytes} is in the language. */
    public boolean matches(byte[] bytes) {
        int s = walk(start(), bytes);
        return s != DEAD && accepting[s];
    }

    /** Bytes held by the tables. */
    long memoryBytes() {
        return 256L + 4L * next.length + 2L * accepting.length;
    }
}
