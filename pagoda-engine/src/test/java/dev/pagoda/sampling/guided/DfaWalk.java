package dev.pagoda.sampling.guided;

import java.io.ByteArrayOutputStream;
import java.util.SplittableRandom;

/** Random members of a byte DFA's language: a walk that stops in an accepting state with some probability. */
final class DfaWalk {
    private DfaWalk() {
    }

    static byte[] sample(ByteDfa dfa, SplittableRandom rng, double stop) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int s = dfa.start();
        int[] next = new int[256];
        while (true) {
            int n = 0;
            for (int b = 0; b < 256; b++) if (dfa.step(s, b) != ByteDfa.DEAD) next[n++] = b;
            if (n == 0 || (dfa.isAccepting(s) && rng.nextDouble() < stop)) {
                if (!dfa.isAccepting(s)) throw new AssertionError("walk stuck in a non-accepting state");
                return out.toByteArray();
            }
            int b = next[rng.nextInt(n)];
            out.write(b);
            s = dfa.step(s, b);
        }
    }
}
