package dev.pagoda.cli.latency;

import java.util.Arrays;
import java.util.List;

/** Mean, median, standard deviation (population), min and max of some figures. */
public record Stats(double mean, double median, double stdev, double min, double max) {
    public static Stats of(List<Double> values) {
        if (values.isEmpty()) return new Stats(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double mean = Arrays.stream(v).average().orElseThrow();
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / v.length;
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(mean, median, Math.sqrt(var), v[0], v[n - 1]);
    }

    /** Standard deviation relative to the mean. */
    public double cv() {
        return stdev / mean;
    }
}
