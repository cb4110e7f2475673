package dev.magi.core.launch.slurm;

/**
 * Quoting for the job script, the one place where MAGI writes a shell command: every value goes
 * between single quotes, inside which the shell expands nothing, and a single quote inside the value
 * becomes {@code '\''} (close, an escaped quote, reopen). A model path with spaces, quotes, dollars or
 * backticks reaches llama-server as it was.
 */
final class ShellQuote {
    private ShellQuote() {
    }

    static String quote(String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a shell word cannot hold a NUL character");
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
