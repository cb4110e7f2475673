package dev.magi.jaxrs.streams;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A bounded backlog of events for one stream. Adding never waits: when a client is so slow that the
 * queue is full, the oldest event goes, and the client is told with a comment that events were dropped.
 */
public final class EventQueue implements Backlog {
    static final String DROPPED = "events were dropped: the client is too slow";

    private final int capacity;
    private final Runnable onEvent;

    // Guarded by this.
    private final ArrayDeque<StreamEvent> events = new ArrayDeque<>();
    private boolean dropped;

    /**
     * @param capacity events kept before the oldest go
     * @param onEvent  called after each event is added, on the adding thread; it must not block
     */
    public EventQueue(int capacity, Runnable onEvent) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.onEvent = onEvent;
    }

    public void add(StreamEvent event) {
        synchronized (this) {
            if (events.size() >= capacity) {
                events.removeFirst();
                dropped = true;
            }
            events.addLast(event);
        }
        onEvent.run();
    }

    @Override
    public synchronized List<StreamEvent> take() {
        List<StreamEvent> taken = new ArrayList<>(events.size() + 1);
        if (dropped) {
            taken.add(StreamEvent.comment(DROPPED));
            dropped = false;
        }
        taken.addAll(events);
        events.clear();
        return taken;
    }
}
