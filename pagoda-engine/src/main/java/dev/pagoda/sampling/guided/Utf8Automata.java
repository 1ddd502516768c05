package dev.pagoda.sampling.guided;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicAutomata;
import dk.brics.automaton.BasicOperations;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Automata over bytes: dk.brics.automaton works on chars, so each byte b is the char b (0-255).
 * Text enters as its UTF-8 encoding; a set of code points becomes the union of its UTF-8 byte
 * sequences, split so that each byte position is one contiguous range (surrogates are left out:
 * they have no UTF-8 encoding).
 */
final class Utf8Automata {
    private Utf8Automata() {
    }

    /** Exactly the UTF-8 bytes of {@code text}. */
    static Automaton literal(String text) {
        return bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    static Automaton bytes(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = (char) (bytes[i] & 0xFF);
        return BasicAutomata.makeString(new String(chars));
    }

    /** One code point of the set, UTF-8 encoded; the empty language for an empty set. */
    static Automaton codePoints(CodePointSet set) {
        List<Automaton> parts = new ArrayList<>();
        for (int r = 0; r < set.rangeCount(); r++) split(set.lo(r), set.hi(r), parts);
        if (parts.isEmpty()) return BasicAutomata.makeEmpty();
        Automaton a = BasicOperations.union(parts);
        a.minimize();
        return a;
    }

    private static void split(int s, int e, List<Automaton> out) {
        if (s > e) return;
        if (s <= 0xDFFF && e >= 0xD800) {
            split(s, 0xD7FF, out);
            split(0xE000, e, out);
            return;
        }
        for (int max : new int[]{0x7F, 0x7FF, 0xFFFF}) {
            if (s <= max && e > max) {
                split(s, max, out);
                split(max + 1, e, out);
                return;
            }
        }
        byte[] bs = encode(s);
        for (int i = 1; i < bs.length; i++) {
            int m = (1 << (6 * i)) - 1;
            if ((s & ~m) != (e & ~m)) {
                if ((s & m) != 0) {
                    split(s, s | m, out);
                    split((s | m) + 1, e, out);
                    return;
                }
                if ((e & m) != m) {
                    split(s, (e & ~m) - 1, out);
                    split(e & ~m, e, out);
                    return;
                }
            }
        }
        byte[] be = encode(e);
        List<Automaton> seq = new ArrayList<>(bs.length);
        for (int i = 0; i < bs.length; i++) {
            seq.add(BasicAutomata.makeCharRange((char) (bs[i] & 0xFF), (char) (be[i] & 0xFF)));
        }
        out.add(BasicOperations.concatenate(seq));
    }

    private static byte[] encode(int cp) {
        return new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
    }
}
