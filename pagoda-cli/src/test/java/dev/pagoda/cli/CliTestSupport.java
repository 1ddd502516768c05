package dev.pagoda.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs {@link Main} in-process and captures what it prints. */
final class CliTestSupport {
    record Result(int exitCode, String out, String err) {
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("pagoda.root", ".."));
    }

    static Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        String oldHome = System.getProperty("pagoda.home");
        System.setProperty("pagoda.home", repoRoot().toString());
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            if (oldHome == null) System.clearProperty("pagoda.home");
            else System.setProperty("pagoda.home", oldHome);
        }
    }

    private CliTestSupport() {
    }
}
