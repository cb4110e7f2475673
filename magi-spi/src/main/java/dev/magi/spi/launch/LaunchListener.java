package dev.magi.spi.launch;

import java.util.List;

/**
 * Hears one launch: its server's output and its changes of state. Calls come from the launcher's
 * threads, those of one output stream in order; an implementation must not block (MAGI's only
 * queues the lines). A launcher calls {@link #stateChanged} with {@link LaunchState.Ended} last,
 * once, after every line of output.
 */
public interface LaunchListener {

    /** Which of the server's output streams a line comes from. */
    enum Stream {
        STDOUT,
        STDERR
    }

    /** Lines the server wrote, without their line breaks, read together (one read of a pipe, say). */
    void output(Stream stream, List<String> lines);

    /** The launch moved on: from pending to running, or to its end. */
    void stateChanged(LaunchState state);

    /**
     * A sentence about the launch for MAGI's log and the server's ({@code started pid 42 on port 8080},
     * {@code job 5678 waits: Resources}).
     */
    default void note(System.Logger.Level level, String text) {
    }
}
