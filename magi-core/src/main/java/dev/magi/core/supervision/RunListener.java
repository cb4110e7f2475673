package dev.magi.core.supervision;

import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchState;
import org.slf4j.event.Level;

import java.util.List;

/**
 * What one launch tells the supervisor: its output goes into the model's log, its notes to MAGI's log
 * and the server's, and each change of its state wakes whoever waits on the start.
 */
final class RunListener implements LaunchListener {
    private final ServerLog log;
    private final ServerNotes notes;
    private volatile Runnable onStateChange = () -> { };

    RunListener(ServerLog log, ServerNotes notes) {
        this.log = log;
        this.notes = notes;
    }

    /** Who is woken when the launch moves on: the start that waits for it. */
    void onStateChange(Runnable wake) {
        this.onStateChange = wake;
    }

    @Override
    public void output(Stream stream, List<String> lines) {
        log.append(stream == Stream.STDERR ? LogLine.STDERR : LogLine.STDOUT, lines);
    }

    @Override
    public void stateChanged(LaunchState state) {
        onStateChange.run();
    }

    @Override
    public void note(System.Logger.Level level, String text) {
        notes.say(slf4j(level), text);
    }

    private static Level slf4j(System.Logger.Level level) {
        return switch (level) {
            case ERROR -> Level.ERROR;
            case WARNING -> Level.WARN;
            case INFO -> Level.INFO;
            case DEBUG -> Level.DEBUG;
            default -> Level.TRACE;
        };
    }
}
