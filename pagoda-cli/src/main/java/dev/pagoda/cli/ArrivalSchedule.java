package dev.pagoda.cli;

import java.util.Random;

/**
 * When each request is sent, as vLLM's benchmark sends them: at {@code --request-rate inf} all at
 * once; otherwise a Poisson process — the first at 0, then exponential gaps of mean 1 / rate.
 */
final class ArrivalSchedule {
    private ArrivalSchedule() {
    }

    /** Send times in seconds after the start. */
    static double[] offsets(int n, double rate, long seed) {
        if (!(rate > 0)) throw new IllegalArgumentException("--request-rate must be positive or inf, got " + rate);
        double[] t = new double[n];
        if (Double.isInfinite(rate)) return t;
        Random rnd = new Random(seed);
        for (int i = 1; i < n; i++) t[i] = t[i - 1] - Math.log(1 - rnd.nextDouble()) / rate;
        return t;
    }

    static double parseRate(String v) {
        if (v == null || v.equals("inf")) return Double.POSITIVE_INFINITY;
        try {
            double r = Double.parseDouble(v);
            if (r > 0) return r;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--request-rate must be a positive number of requests per second or inf, got '" + v + "'");
    }
}
