package dev.magi.core.launch.slurm;

import java.util.List;

/**
 * What one finished command printed and how it ended.
 *
 * @param command   the command that ran, the program first
 * @param exitCode  its exit code
 * @param stdout    its standard output, cut at the runner's bound
 * @param stderr    its standard error, cut at the runner's bound
 */
record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {
    CommandResult {
        command = List.copyOf(command);
    }

    boolean succeeded() {
        return exitCode == 0;
    }

    /** The program's own words on a failure: its standard error, else its output, on one line. */
    String complaint() {
        String text = stderr.isBlank() ? stdout : stderr;
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
