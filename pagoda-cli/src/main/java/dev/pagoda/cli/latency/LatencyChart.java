package dev.pagoda.cli.latency;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * An SVG chart of a latency report: three panels (TTFT, TPOT, total throughput), one bar per
 * scenario at the median, a whisker from the smallest to the largest figure.
 */
public final class LatencyChart {
    private static final int PANEL_W = 360, H = 340, TOP = 50, BOTTOM = 75, LEFT = 60, RIGHT = 15;

    private LatencyChart() {
    }

    private record Panel(String title, String unit, String color, Function<ScenarioResult, Stats> stats) {
    }

    public static String svg(List<ScenarioResult> results, String subtitle) {
        List<Panel> panels = List.of(
                new Panel("Time to first token", "ms", "#4e79a7", ScenarioResult::ttftMs),
                new Panel("Time per output token", "ms", "#f28e2b", ScenarioResult::tpotMs),
                new Panel("Total throughput", "tokens/s", "#59a14f", ScenarioResult::totalTokensPerSecond));
        int width = PANEL_W * panels.size();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"Helvetica, Arial, sans-serif\">%n", width, H, width, H));
        sb.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\" text-anchor=\"middle\" fill=\"#333\">%s</text>%n",
                width / 2, escape(subtitle)));
        for (int p = 0; p < panels.size(); p++) panel(sb, panels.get(p), results, p * PANEL_W);
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void panel(StringBuilder sb, Panel panel, List<ScenarioResult> results, int x0) {
        int plotW = PANEL_W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
        double max = niceCeiling(results.stream().mapToDouble(r -> panel.stats.apply(r).max()).max().orElse(1));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"40\" font-size=\"14\" font-weight=\"bold\" text-anchor=\"middle\">%s (%s)</text>%n",
                x0 + LEFT + plotW / 2, panel.title, panel.unit));
        for (int t = 0; t <= 4; t++) {
            double v = max * t / 4;
            double y = TOP + plotH - plotH * t / 4.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                    x0 + LEFT, y, x0 + LEFT + plotW, y, t == 0 ? "#333" : "#e5e5e5"));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">%s</text>%n",
                    x0 + LEFT - 6, y + 4, number(v)));
        }
        double slot = plotW / (double) results.size();
        double barW = Math.min(40, slot * 0.6);
        for (int i = 0; i < results.size(); i++) {
            Stats s = panel.stats.apply(results.get(i));
            double cx = x0 + LEFT + slot * (i + 0.5);
            double yMedian = TOP + plotH - plotH * s.median() / max;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                    cx - barW / 2, yMedian, barW, TOP + plotH - yMedian, panel.color));
            double yMin = TOP + plotH - plotH * s.min() / max, yMax = TOP + plotH - plotH * s.max() / max;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\"/>%n", cx, yMin, cx, yMax));
            for (double y : new double[]{yMin, yMax}) {
                sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#222\"/>%n", cx - 5, y, cx + 5, y));
            }
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" fill=\"#222\">%s</text>%n",
                    cx, Math.min(yMax, yMedian) - 4, number(s.median())));
            sb.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%d) rotate(-35)\" font-size=\"11\" text-anchor=\"end\">%s</text>%n",
                    cx + 4, TOP + plotH + 14, escape(results.get(i).scenario().name())));
        }
    }

    /** The smallest 1, 2, 4, 6 or 8 × 10^k at or above v: its quarters (the grid lines) are round numbers. */
    static double niceCeiling(double v) {
        if (!(v > 0)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 4, 6, 8, 10}) if (m * p >= v) return m * p;
        return 10 * p;
    }

    private static String number(double v) {
        if (v >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (v >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
