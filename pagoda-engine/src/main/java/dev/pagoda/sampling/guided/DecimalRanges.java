package dev.pagoda.sampling.guided;

import dk.brics.automaton.Automaton;
import dk.brics.automaton.BasicAutomata;
import dk.brics.automaton.BasicOperations;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON numbers within bounds, exactly, as automata over their text. Integers have no leading
 * zeros and no "-0"; numbers are written without an exponent when bounded. The integer part has
 * at most {@link #MAX_INTEGER_DIGITS} digits and a fraction at most {@link #MAX_FRACTION_DIGITS}
 * (so that a model cannot write digits forever): the outputs are a subset of the valid values.
 *
 * <p>A bound on a number compares digit strings: with value {@code I.F} and bound {@code L.l},
 * {@code I.F >= L.l} iff {@code I > L}, or {@code I == L} and {@code F >= l} digit by digit
 * (padding with zeros). Both are regular, so bounds with any decimals are exact.
 */
final class DecimalRanges {
    static final int MAX_INTEGER_DIGITS = 15;
    static final int MAX_FRACTION_DIGITS = 15;
    static final int MAX_EXPONENT_DIGITS = 2;
    private static final BigInteger INTEGER_CAP = BigInteger.TEN.pow(MAX_INTEGER_DIGITS).subtract(BigInteger.ONE);

    private DecimalRanges() {
    }

    /** A bound: value, and whether it is exclusive. */
    record Bound(BigDecimal value, boolean exclusive) {
    }

    /** Integers in [lo, hi]; a null bound is open (up to the digit cap). */
    static Automaton integers(Bound lo, Bound hi, String where) {
        BigInteger min = lo == null ? INTEGER_CAP.negate() : ceilInclusive(lo);
        BigInteger max = hi == null ? INTEGER_CAP : floorInclusive(hi);
        min = min.max(INTEGER_CAP.negate());
        max = max.min(INTEGER_CAP);
        if (min.compareTo(max) > 0) {
            throw new GrammarException("no integer of at most " + MAX_INTEGER_DIGITS + " digits satisfies the bounds at " + where);
        }
        List<Automaton> parts = new ArrayList<>();
        if (max.signum() >= 0) parts.add(naturals(min.max(BigInteger.ZERO), max));
        if (min.signum() < 0) {
            parts.add(BasicAutomata.makeChar('-').concatenate(naturals(max.negate().max(BigInteger.ONE), min.negate())));
        }
        Automaton a = BasicOperations.union(parts);
        a.minimize();
        return a;
    }

    private static BigInteger ceilInclusive(Bound b) {
        BigDecimal v = b.value();
        BigInteger c = v.setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        return b.exclusive() && v.compareTo(new BigDecimal(c)) == 0 ? c.add(BigInteger.ONE) : c;
    }

    private static BigInteger floorInclusive(Bound b) {
        BigDecimal v = b.value();
        BigInteger f = v.setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
        return b.exclusive() && v.compareTo(new BigDecimal(f)) == 0 ? f.subtract(BigInteger.ONE) : f;
    }

    /** Any JSON number (within the digit caps, with an optional short exponent). */
    static Automaton anyNumber() {
        Automaton intPart = BasicAutomata.makeChar('0')
                .union(BasicAutomata.makeCharRange('1', '9').concatenate(digits(0, MAX_INTEGER_DIGITS - 1)));
        Automaton exponent = BasicAutomata.makeCharSet("eE")
                .concatenate(BasicAutomata.makeCharSet("+-").optional())
                .concatenate(digits(1, MAX_EXPONENT_DIGITS));
        Automaton a = BasicAutomata.makeChar('-').optional().concatenate(intPart)
                .concatenate(fraction(digits(0, MAX_FRACTION_DIGITS)))
                .concatenate(exponent.optional());
        a.minimize();
        return a;
    }

    /** Numbers (integers or decimals, no exponent) in the bounds; a null bound is open. */
    static Automaton numbers(Bound lo, Bound hi, String where) {
        if (lo == null && hi == null) return anyNumber();
        if (lo != null && hi != null) {
            int c = lo.value().compareTo(hi.value());
            if (c > 0 || (c == 0 && (lo.exclusive() || hi.exclusive()))) throw new GrammarException("empty number range at " + where);
        }
        List<Automaton> parts = new ArrayList<>();
        // Non-negative values: [max(lo, 0), hi].
        if (hi == null || hi.value().signum() >= 0) {
            Bound from = lo == null || lo.value().signum() < 0 ? new Bound(BigDecimal.ZERO, false) : lo;
            parts.add(magnitudes(from, hi));
        }
        // Negative values -y: y in [max(-hi, 0), -lo], excluding y = 0 (already above, and no "-0").
        if (lo == null || lo.value().signum() < 0) {
            Bound from = hi == null || hi.value().signum() >= 0 ? new Bound(BigDecimal.ZERO, true) : new Bound(hi.value().negate(), hi.exclusive());
            Bound to = lo == null ? null : new Bound(lo.value().negate(), lo.exclusive());
            parts.add(BasicAutomata.makeChar('-').concatenate(magnitudes(from, to)));
        }
        Automaton a = BasicOperations.union(parts);
        a.minimize();
        if (a.isEmpty()) throw new GrammarException("no number of at most " + MAX_INTEGER_DIGITS + " integer digits satisfies the bounds at " + where);
        return a;
    }

    /** Non-negative decimals I or I.F in [from, to] (to null: unbounded). */
    private static Automaton magnitudes(Bound from, Bound to) {
        BigInteger a = from.value().setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
        String fa = fractionDigits(from.value());
        List<Automaton> parts = new ArrayList<>();
        if (a.compareTo(INTEGER_CAP) > 0) return BasicAutomata.makeEmpty();
        if (to != null) {
            BigInteger b = to.value().setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
            String fb = fractionDigits(to.value());
            if (a.equals(b)) {
                return literal(a).concatenate(fraction(atLeast(fa, from.exclusive()).intersection(atMost(fb, to.exclusive()))));
            }
            if (b.compareTo(INTEGER_CAP) <= 0) parts.add(literal(b).concatenate(fraction(atMost(fb, to.exclusive()))));
            else b = INTEGER_CAP.add(BigInteger.ONE);
            if (b.subtract(a).compareTo(BigInteger.ONE) > 0) {
                parts.add(naturals(a.add(BigInteger.ONE), b.subtract(BigInteger.ONE)).concatenate(fraction(digits(0, MAX_FRACTION_DIGITS))));
            }
        } else if (a.compareTo(INTEGER_CAP) < 0) {
            parts.add(naturals(a.add(BigInteger.ONE), INTEGER_CAP).concatenate(fraction(digits(0, MAX_FRACTION_DIGITS))));
        }
        parts.add(literal(a).concatenate(fraction(atLeast(fa, from.exclusive()))));
        return BasicOperations.union(parts);
    }

    /** The digits after the point of a non-negative value, without trailing zeros ("" for an integer). */
    private static String fractionDigits(BigDecimal v) {
        BigDecimal frac = v.subtract(v.setScale(0, RoundingMode.FLOOR)).stripTrailingZeros();
        if (frac.signum() == 0) return "";
        String s = frac.toPlainString(); // "0.xyz"
        return s.substring(2);
    }

    /** A JSON fraction for digit strings F in {@code f}: nothing when F is empty, else "." F (capped). */
    private static Automaton fraction(Automaton f) {
        Automaton capped = f.intersection(digits(1, MAX_FRACTION_DIGITS));
        Automaton withPoint = BasicAutomata.makeChar('.').concatenate(capped);
        return f.run("") ? withPoint.optional() : withPoint;
    }

    /** Digit strings F with 0.F >= 0.l (> when strict); l has no trailing zeros. */
    private static Automaton atLeast(String l, boolean strict) {
        Automaton rest = strict ? nonZeroSomewhere() : digits(0, -1);
        for (int k = l.length() - 1; k >= 0; k--) {
            char d = l.charAt(k);
            Automaton same = BasicAutomata.makeChar(d).concatenate(rest);
            rest = d < '9' ? BasicAutomata.makeCharRange((char) (d + 1), '9').concatenate(digits(0, -1)).union(same) : same;
        }
        return rest;
    }

    /** Digit strings F with 0.F <= 0.h (< when strict); h has no trailing zeros. */
    private static Automaton atMost(String h, boolean strict) {
        Automaton rest = strict ? BasicAutomata.makeEmpty() : BasicAutomata.makeChar('0').repeat();
        for (int k = h.length() - 1; k >= 0; k--) {
            char d = h.charAt(k);
            // Stopping here pads with zeros, below the rest of h (its last digit is not zero).
            Automaton a = BasicAutomata.makeEmptyString().union(BasicAutomata.makeChar(d).concatenate(rest));
            if (d > '0') a = a.union(BasicAutomata.makeCharRange('0', (char) (d - 1)).concatenate(digits(0, -1)));
            rest = a;
        }
        return rest;
    }

    private static Automaton nonZeroSomewhere() {
        return digits(0, -1).concatenate(BasicAutomata.makeCharRange('1', '9')).concatenate(digits(0, -1));
    }

    /** min to max digits (max -1: unbounded). */
    private static Automaton digits(int min, int max) {
        Automaton d = BasicAutomata.makeCharRange('0', '9');
        return max < 0 ? d.repeat(min) : d.repeat(min, max);
    }

    private static Automaton literal(BigInteger n) {
        return BasicAutomata.makeString(n.toString());
    }

    /** Decimal integers in [lo, hi] (0 <= lo <= hi) without leading zeros. */
    static Automaton naturals(BigInteger lo, BigInteger hi) {
        String a = lo.toString();
        String b = hi.toString();
        List<Automaton> parts = new ArrayList<>();
        for (int len = a.length(); len <= b.length(); len++) {
            String from = len == a.length() ? a : "1" + "0".repeat(len - 1);
            String to = len == b.length() ? b : "9".repeat(len);
            parts.add(sameLength(from, to));
        }
        return BasicOperations.union(parts);
    }

    /** Digit strings of one length between {@code lo} and {@code hi}, compared digit by digit. */
    private static Automaton sameLength(String lo, String hi) {
        int n = lo.length();
        if (n == 0) return BasicAutomata.makeEmptyString();
        if (lo.equals(hi)) return BasicAutomata.makeString(lo);
        char l = lo.charAt(0);
        char h = hi.charAt(0);
        if (l == h) return BasicAutomata.makeChar(l).concatenate(sameLength(lo.substring(1), hi.substring(1)));
        if (lo.substring(1).matches("0*") && hi.substring(1).matches("9*")) {
            return BasicAutomata.makeCharRange(l, h).concatenate(digits(n - 1, n - 1));
        }
        List<Automaton> parts = new ArrayList<>();
        parts.add(BasicAutomata.makeChar(l).concatenate(sameLength(lo.substring(1), "9".repeat(n - 1))));
        if (h - l > 1) parts.add(BasicAutomata.makeCharRange((char) (l + 1), (char) (h - 1)).concatenate(digits(n - 1, n - 1)));
        parts.add(BasicAutomata.makeChar(h).concatenate(sameLength("0".repeat(n - 1), hi.substring(1))));
        return BasicOperations.union(parts);
    }
}
