package dev.magi.core.supervision;

import dev.magi.core.util.AtomicFiles;
import dev.magi.core.util.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One model's server output, as its launch hands it over: the last {@value #RING_LINES} lines in
 * memory, every line in a rotated file, and the subscribers and {@link LogFollower followers} that
 * follow new lines. Adding never waits for anyone (the file is buffered, subscribers must not block),
 * so a launcher that drains a pipe into it never lets the pipe fill up. The same log spans the model's successive
 * processes, so a crash's last words are still there after the restart.
 */
final class ServerLog {
    static final int RING_LINES = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(ServerLog.class);

    private final String modelId;
    private final Path file;
    private final long maxBytes;
    private final int filesKept;
    private final List<Consumer<LogLine>> subscribers = new CopyOnWriteArrayList<>();

    // Guarded by this.
    private final ArrayDeque<LogLine> ring = new ArrayDeque<>(RING_LINES);
    private long total;
    private Writer writer;
    private long fileBytes;
    private boolean fileFailed;

    ServerLog(String modelId, Path file, long maxBytes, int filesKept) {
        this.modelId = modelId;
        this.file = file;
        this.maxBytes = maxBytes;
        this.filesKept = filesKept;
    }

    /** Adds lines read together; subscribers hear them in order. */
    synchronized void append(String stream, List<String> texts) {
        if (texts.isEmpty()) {
            flush();
            return;
        }
        Instant now = Instant.now();
        for (String text : texts) {
            LogLine line = new LogLine(now, stream, text);
            if (ring.size() == RING_LINES) {
                ring.removeFirst();
            }
            ring.addLast(line);
            total++;
            write(now + " " + stream + " " + text + "\n");
            for (Consumer<LogLine> subscriber : subscribers) {
                try {
                    subscriber.accept(line);
                } catch (RuntimeException e) {
                    LOG.debug("Log subscriber of '{}' failed and was removed: {}", modelId, e.toString());
                    subscribers.remove(subscriber);
                }
            }
        }
        flush();
    }

    /**
     * Adds a line of MAGI's own (a start, an exit, a restart) among the server's, on the stream
     * {@value LogLine#MAGI}: whoever reads the log sees what MAGI did between the server's lines.
     */
    void note(String text) {
        append(LogLine.MAGI, List.of(text));
    }

    /** How many lines were ever added; with {@link #tailSince} tells one process's lines from the last one's. */
    synchronized long total() {
        return total;
    }

    /** The last {@code count} lines (at most {@value #RING_LINES}), oldest first. */
    synchronized List<LogLine> tail(int count) {
        int n = Math.max(0, Math.min(count, ring.size()));
        List<LogLine> lines = new ArrayList<>(n);
        Iterator<LogLine> it = ring.iterator();
        for (int skip = ring.size() - n; skip > 0; skip--) {
            it.next();
        }
        while (it.hasNext()) {
            lines.add(it.next());
        }
        return lines;
    }

    /**
     * The text of the last {@code count} lines the server wrote after the {@code mark}-th line; MAGI's
     * own notes are left out, since an error quotes what the server said.
     */
    synchronized List<String> tailSince(long mark, int count) {
        long since = Math.min(total - mark, ring.size());
        ArrayDeque<String> texts = new ArrayDeque<>();
        Iterator<LogLine> newestFirst = ring.descendingIterator();
        for (long seen = 0; seen < since && texts.size() < count && newestFirst.hasNext(); seen++) {
            LogLine line = newestFirst.next();
            if (!LogLine.MAGI.equals(line.stream())) {
                texts.addFirst(line.line());
            }
        }
        return new ArrayList<>(texts);
    }

    /**
     * Hands {@code subscriber} the last {@code tail} lines, then every new line, in order. Once the
     * subscription's close returns, the subscriber hears nothing more: closing waits for a line
     * being handed over at that moment (lines are handed over under this log's lock).
     */
    synchronized Subscription subscribe(int tail, Consumer<LogLine> subscriber) {
        for (LogLine line : tail(tail)) {
            subscriber.accept(line);
        }
        subscribers.add(subscriber);
        return () -> {
            synchronized (this) {
                subscribers.remove(subscriber);
            }
        };
    }

    /**
     * A follower with a buffer of {@code capacity} lines that starts with the last {@code tail} lines,
     * then gets every new line; see {@link LogFollower}. Unlike a subscriber, a follower never makes the
     * drain wait.
     */
    synchronized LogFollower follow(int tail, int capacity, Runnable onLines) {
        LogFollower follower = new LogFollower(capacity, onLines);
        follower.attach(subscribe(Math.min(tail, capacity), follower::offer));
        return follower;
    }

    synchronized void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                LOG.debug("Closing {} failed: {}", file, e.toString());
            }
            writer = null;
        }
    }

    // ---------------------------------------------------------------- the file

    private void write(String text) {
        if (fileFailed) {
            return;
        }
        try {
            if (writer == null) {
                Files.createDirectories(file.getParent());
                fileBytes = Files.exists(file) ? Files.size(file) : 0;
                writer = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND), StandardCharsets.UTF_8), 1 << 16);
            }
            writer.write(text);
            fileBytes += text.length();
            if (fileBytes >= maxBytes) {
                rotate();
            }
        } catch (IOException e) {
            // A full disk must not stop the server: keep the ring, drop the file, say so once.
            fileFailed = true;
            LOG.warn("Cannot write the log of '{}' to {} ({}); keeping only the last {} lines in memory", modelId,
                    file, AtomicFiles.describe(e), RING_LINES);
            close();
        }
    }

    private void flush() {
        if (writer != null) {
            try {
                writer.flush();
            } catch (IOException e) {
                fileFailed = true;
                close();
            }
        }
    }

    /** MODEL.log becomes MODEL.log.1, MODEL.log.1 becomes MODEL.log.2 ... the oldest beyond the count goes. */
    private void rotate() throws IOException {
        writer.close();
        writer = null;
        if (filesKept == 0) {
            Files.delete(file);
            return;
        }
        Files.deleteIfExists(rotated(filesKept));
        for (int i = filesKept - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path rotated(int index) {
        return file.resolveSibling(file.getFileName() + "." + index);
    }
}
