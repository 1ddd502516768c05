package dev.pagoda.cli;

import dev.pagoda.PagodaException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Entry point of the `pagoda` command: dispatches to a subcommand. */
public final class Main {
    private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("serve", new ServeCommand());
        COMMANDS.put("generate", new GenerateCommand());
        COMMANDS.put("chat", new ChatCommand());
        COMMANDS.put("bench", new BenchCommand());
        COMMANDS.put("tokenize", new TokenizeCommand());
        COMMANDS.put("detokenize", new DetokenizeCommand());
        COMMANDS.put("make-test-model", new MakeTestModelCommand());
        COMMANDS.put("plan", new PlanCommand());
        COMMANDS.put("info", new InfoCommand());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            printHelp();
            return args.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.get(args[0]);
        if (command == null) {
            System.err.println("pagoda: unknown command '" + args[0] + "' (see 'pagoda help')");
            return 2;
        }
        boolean debug = Arrays.asList(args).contains("--debug");
        try {
            return command.run(Arrays.copyOfRange(args, 1, args.length));
        } catch (PagodaException | IllegalArgumentException e) {
            // User-facing failures: one clear line, the stack trace only with --debug.
            System.err.println("pagoda " + args[0] + ": " + e.getMessage());
            if (debug) e.printStackTrace();
            return 1;
        } catch (Exception e) {
            System.err.println("pagoda " + args[0] + ": internal error: " + e);
            if (debug) e.printStackTrace();
            else System.err.println("(run again with --debug for the stack trace)");
            return 1;
        }
    }

    private static void printHelp() {
        System.out.println("usage: pagoda <command> [options]   (pagoda <command> --help for its options)");
        System.out.println();
        COMMANDS.forEach((name, c) -> System.out.printf("  %-18s %s%n", name, c.summary()));
    }
}
