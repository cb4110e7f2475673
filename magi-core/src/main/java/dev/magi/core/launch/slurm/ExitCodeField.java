package dev.magi.core.launch.slurm;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code ExitCode=STATUS:SIGNAL} field of {@code scontrol show job --oneliner}: the batch
 * script's exit status, or the signal that killed it. Since the script {@code exec}s llama-server,
 * that is llama-server's own.
 */
final class ExitCodeField {
    /** Preceded by a space or the line's start, so that {@code DerivedExitCode=} is not taken for it. */
    private static final Pattern FIELD = Pattern.compile("(?:^|\\s)ExitCode=(\\d+):(\\d+)");
    private static final int SIGNALLED = 128;

    private ExitCodeField() {
    }

    static Optional<Integer> parse(String text) {
        Matcher matcher = FIELD.matcher(text);
        if (!matcher.find()) {
            return Optional.empty();
        }
        int status = Integer.parseInt(matcher.group(1));
        int signal = Integer.parseInt(matcher.group(2));
        return Optional.of(signal != 0 ? SIGNALLED + signal : status);
    }
}
