package dev.magi.core.supervision;

import dev.magi.core.util.Subscription;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One follower of a server's output, with a bounded buffer of its own. The thread that drains the
 * server's output only adds to the buffer and never waits for the follower, so no follower, however
 * slow, can hold up a server. A follower that falls further behind than its buffer loses the lines that
 * do not fit; where they are missing it finds one line of stream {@value LogLine#MAGI} that says how
 * many. The follower takes its lines when it is ready to send them; closing it stops the following.
 */
public final class LogFollower implements Subscription {
    /** Lines a follower may fall behind before it loses some: as many as the ring keeps. */
    public static final int CAPACITY = ServerLog.RING_LINES;

    private final int capacity;
    private final Runnable onLines;

    // Guarded by this.
    private final ArrayDeque<LogLine> buffer = new ArrayDeque<>();
    private long skipped;
    private boolean closed;
    private Subscription subscription;

    /**
     * @param capacity lines kept for the follower before it loses some
     * @param onLines  called when lines arrive in an empty buffer, on the thread that drains the server's
     *                 output: it must only signal the follower (schedule a send), never do the work
     */
    LogFollower(int capacity, Runnable onLines) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.onLines = onLines;
    }

    /** Set once, by the log, to what ends the following. */
    synchronized void attach(Subscription following) {
        subscription = following;
    }

    /** A line for the follower: kept when there is room, counted as lost when there is none. Never waits. */
    void offer(LogLine line) {
        boolean first;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (buffer.size() >= capacity) {
                skipped++;
                return;
            }
            first = buffer.isEmpty();
            buffer.addLast(line);
        }
        if (first) {
            onLines.run();
        }
    }

    /**
     * The lines waiting, oldest first, and no longer waiting; empty when there are none. When lines
     * were lost, the last one is MAGI's note of how many: every line before it came before the gap.
     */
    public synchronized List<LogLine> take() {
        List<LogLine> lines = new ArrayList<>(buffer.size() + 1);
        lines.addAll(buffer);
        buffer.clear();
        if (skipped > 0) {
            lines.add(new LogLine(Instant.now(), LogLine.MAGI, skippedNote(skipped)));
            skipped = 0;
        }
        return lines;
    }

    /** The text of the note that stands for {@code count} lost lines. */
    public static String skippedNote(long count) {
        return count + (count == 1 ? " line" : " lines") + " skipped: this follower was too slow";
    }

    @Override
    public void close() {
        Subscription following;
        synchronized (this) {
            closed = true;
            buffer.clear();
            following = subscription;
        }
        // Outside this lock: the log's lock is taken before this one when a line is offered.
        if (following != null) {
            following.close();
        }
    }
}
