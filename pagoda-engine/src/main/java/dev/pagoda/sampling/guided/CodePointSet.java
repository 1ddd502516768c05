package dev.pagoda.sampling.guided;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of Unicode code points (0 to U+10FFFF) as sorted, disjoint, non-adjacent
 * inclusive ranges. Surrogates may be members; {@link Utf8Automata} leaves them out when encoding.
 */
final class CodePointSet {
    static final int MAX = 0x10FFFF;
    static final CodePointSet EMPTY = new CodePointSet(new int[0]);
    static final CodePointSet ALL = range(0, MAX);

    /** lo0, hi0, lo1, hi1, ... sorted, with lo(i+1) > hi(i) + 1. */
    private final int[] bounds;

    private CodePointSet(int[] bounds) {
        this.bounds = bounds;
    }

    static CodePointSet of(int codePoint) {
        return range(codePoint, codePoint);
    }

    static CodePointSet range(int lo, int hi) {
        if (lo < 0 || hi > MAX || lo > hi) throw new IllegalArgumentException("bad code point range " + lo + ".." + hi);
        return new CodePointSet(new int[]{lo, hi});
    }

    /** The code points of the string's characters. */
    static CodePointSet chars(String s) {
        CodePointSet set = EMPTY;
        for (int cp : s.codePoints().toArray()) set = set.union(of(cp));
        return set;
    }

    int rangeCount() {
        return bounds.length / 2;
    }

    int lo(int range) {
        return bounds[2 * range];
    }

    int hi(int range) {
        return bounds[2 * range + 1];
    }

    boolean isEmpty() {
        return bounds.length == 0;
    }

    CodePointSet union(CodePointSet other) {
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < bounds.length; i += 2) ranges.add(new int[]{bounds[i], bounds[i + 1]});
        for (int i = 0; i < other.bounds.length; i += 2) ranges.add(new int[]{other.bounds[i], other.bounds[i + 1]});
        ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
        int[] out = new int[ranges.size() * 2];
        int n = 0;
        for (int[] r : ranges) {
            if (n > 0 && r[0] <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], r[1]);
            } else {
                out[n++] = r[0];
                out[n++] = r[1];
            }
        }
        return new CodePointSet(Arrays.copyOf(out, n));
    }

    CodePointSet complement() {
        int[] out = new int[bounds.length + 2];
        int n = 0;
        int next = 0;
        for (int i = 0; i < bounds.length; i += 2) {
            if (bounds[i] > next) {
                out[n++] = next;
                out[n++] = bounds[i] - 1;
            }
            next = bounds[i + 1] + 1;
        }
        if (next <= MAX) {
            out[n++] = next;
            out[n++] = MAX;
        }
        return new CodePointSet(Arrays.copyOf(out, n));
    }

    CodePointSet intersect(CodePointSet other) {
        return complement().union(other.complement()).complement();
    }

    CodePointSet minus(CodePointSet other) {
        return intersect(other.complement());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CodePointSet c && Arrays.equals(bounds, c.bounds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bounds);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < bounds.length; i += 2) {
            b.append(String.format("%X", bounds[i]));
            if (bounds[i + 1] != bounds[i]) b.append('-').append(String.format("%X", bounds[i + 1]));
            if (i + 2 < bounds.length) b.append(' ');
        }
        return b.append(']').toString();
    }
}
