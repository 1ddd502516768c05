package dev.pagoda.engine;

import java.io.PrintStream;

/** A one-line text progress bar ("Processed prompts: 37/100 [=====>    ] 12.3 it/s"), redrawn at most ten times a second. */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private final String label;
    private final int total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private long lastDraw;

    public ProgressBar(String label, int total, PrintStream out) {
        this.label = label;
        this.total = total;
        this.out = out;
    }

    public void update(int done) {
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        int filled = (int) ((long) WIDTH * done / total);
        double seconds = (now - start) / 1e9;
        out.printf("\r%s: %d/%d [%s%s] %.1f it/s", label, done, total, "=".repeat(filled), " ".repeat(WIDTH - filled),
                seconds > 0 ? done / seconds : 0.0);
        out.flush();
    }

    public void finish() {
        update(total);
        out.println();
    }
}
