package dev.pagoda;

/**
 * Pagoda's log: one line per event on standard error, "LEVEL message". Debug lines show with
 * {@code -Dpagoda.debug=true} (the CLI's --debug sets it).
 */
public final class Log {
    private Log() {
    }

    public static void info(String message) {
        System.err.println("INFO  " + message);
    }

    public static void warn(String message) {
        System.err.println("WARN  " + message);
    }

    public static void debug(String message) {
        if (Boolean.getBoolean("pagoda.debug")) System.err.println("DEBUG " + message);
    }
}
