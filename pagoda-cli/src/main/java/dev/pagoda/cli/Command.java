package dev.pagoda.cli;

/** One `pagoda` subcommand. */
interface Command {
    /** Runs the command with the arguments after its name; returns the process exit code. */
    int run(String[] args) throws Exception;

    /** One line for `pagoda help`. */
    String summary();
}
