package dev.magi.core.launch.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads one pipe of a process to its end, line by line, on a daemon thread of its own. Reading never
 * waits for anyone (whoever hears the lines must not block), so the process never stalls on a full
 * pipe.
 */
final class OutputDrain {
    /** Longer lines are cut into pieces: a process that never writes a line break must not fill the heap. */
    static final int MAX_LINE_CHARS = 16 * 1024;

    private OutputDrain() {
    }

    /**
     * Starts the thread. {@code lines} hears what each read brought, as whole lines without their
     * breaks, in order; the last piece without a break comes when the pipe ends.
     */
    static Thread start(InputStream in, String threadName, Consumer<List<String>> lines) {
        Thread thread = new Thread(() -> readAll(in, lines), threadName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void readAll(InputStream in, Consumer<List<String>> sink) {
        char[] buffer = new char[8192];
        StringBuilder partial = new StringBuilder();
        List<String> lines = new ArrayList<>();
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            int read;
            while ((read = reader.read(buffer)) != -1) {
                int start = 0;
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == '\n') {
                        partial.append(buffer, start, i - start);
                        lines.add(withoutCarriageReturn(partial));
                        partial.setLength(0);
                        start = i + 1;
                    }
                }
                partial.append(buffer, start, read - start);
                if (partial.length() >= MAX_LINE_CHARS) {
                    lines.add(partial.toString());
                    partial.setLength(0);
                }
                // What one read brought arrived together: handed on together.
                if (!lines.isEmpty()) {
                    sink.accept(List.copyOf(lines));
                    lines.clear();
                }
            }
        } catch (IOException e) {
            // The pipe broke: the process is gone.
        } finally {
            if (partial.length() > 0) {
                lines.add(partial.toString());
            }
            if (!lines.isEmpty()) {
                sink.accept(List.copyOf(lines));
            }
        }
    }

    private static String withoutCarriageReturn(StringBuilder line) {
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }
}
