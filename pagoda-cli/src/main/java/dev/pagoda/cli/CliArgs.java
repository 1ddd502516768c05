package dev.pagoda.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line flags as {@code --name value} pairs and {@code --switch}es. Every flag a command
 * does not consume is an error naming it, so typos never pass silently.
 */
final class CliArgs {
    private final Map<String, String> values = new LinkedHashMap<>();

    /** @param switches the flags that take no value */
    CliArgs(String[] args, Set<String> switches) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            int eq = a.indexOf('=');
            if (eq > 0) {
                values.put(a.substring(0, eq), a.substring(eq + 1));
            } else if (switches.contains(a) || i + 1 == args.length || (args[i + 1].startsWith("--") && isSwitchLike(a, switches))) {
                values.put(a, null);
            } else {
                values.put(a, args[++i]);
            }
        }
    }

    private static boolean isSwitchLike(String flag, Set<String> switches) {
        return switches.contains(flag) || flag.startsWith("--no-");
    }

    /**
     * Parses a command's arguments; {@code --help} prints {@code usage} and returns null, and
     * {@code --debug} (handled by Main) is consumed. {@code switches} are the command's flags that
     * take no value.
     */
    static CliArgs parse(String[] argv, String usage, String... switches) {
        java.util.Set<String> all = new java.util.HashSet<>(java.util.List.of(switches));
        all.add("--help");
        all.add("--debug");
        CliArgs a = new CliArgs(argv, all);
        if (a.takeSwitch("--help")) {
            System.out.println(usage);
            return null;
        }
        a.takeSwitch("--debug");
        return a;
    }

    boolean has(String flag) {
        return values.containsKey(flag);
    }

    /** Removes and returns the flag's value (null when absent). */
    String take(String flag) {
        return values.remove(flag);
    }

    boolean takeSwitch(String flag) {
        if (!values.containsKey(flag)) return false;
        String v = values.remove(flag);
        if (v != null) throw new IllegalArgumentException(flag + " takes no value, got '" + v + "'");
        return true;
    }

    Integer takeInt(String flag) {
        String v = take(flag);
        if (v == null) return null;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, got '" + v + "'");
        }
    }

    Double takeDouble(String flag) {
        String v = take(flag);
        if (v == null) return null;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be a number, got '" + v + "'");
        }
    }

    Long takeLong(String flag) {
        String v = take(flag);
        if (v == null) return null;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be an integer, got '" + v + "'");
        }
    }

    int[] takeIntList(String flag) {
        String v = take(flag);
        if (v == null) return null;
        List<Integer> ids = new ArrayList<>();
        for (String part : v.split("[,\\s]+")) {
            if (part.isBlank()) continue;
            try {
                ids.add(Integer.parseInt(part.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be comma-separated integers, got '" + v + "'");
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The flags nobody consumed, in order. */
    List<String> remaining() {
        return new ArrayList<>(values.keySet());
    }

    /** Passes every remaining engine flag to {@code args}; any flag left after that is an error. */
    void applyEngineFlags(dev.pagoda.config.EngineArgs args) {
        for (String flag : remaining()) {
            if (args.set(flag, values.get(flag))) values.remove(flag);
        }
        if (!values.isEmpty()) throw new IllegalArgumentException("unknown flag '" + values.keySet().iterator().next() + "'");
    }
}
