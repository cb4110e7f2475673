package dev.magi.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** What the tests ask of the processes MAGI starts and stops. */
public final class Processes {
    private Processes() {
    }

    /**
     * Whether a process runs. A zombie has exited, even when nobody has reaped it yet: in a container
     * whose first process does not reap orphans, a stopped server's child stays a zombie for good.
     */
    public static boolean isRunning(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            int end = stat.lastIndexOf(')');
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return handle.get().isAlive();
        }
    }
}
