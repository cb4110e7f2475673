package dev.magi.core.events;

import dev.magi.core.util.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Fans MAGI's changes out to whoever follows them (the {@code /events} stream, the WebUI). Publishing
 * never blocks on a subscriber: a subscriber that needs time must hand the event to its own thread.
 */
public final class EventHub {
    private static final Logger LOG = LoggerFactory.getLogger(EventHub.class);

    private final List<Consumer<MagiEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final List<Runnable> closeListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** Follows every event until the returned handle is closed. */
    public Subscription subscribe(Consumer<MagiEvent> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    public void publish(MagiEvent event) {
        for (Consumer<MagiEvent> subscriber : subscribers) {
            try {
                subscriber.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("An event subscriber failed: {}", e.toString());
            }
        }
    }

    /**
     * Runs {@code listener} when MAGI shuts down, so that live streams end at once instead of holding
     * a graceful stop until their next heartbeat. Runs it now when already closed.
     */
    public Subscription onClose(Runnable listener) {
        closeListeners.add(listener);
        if (closed) {
            listener.run();
        }
        return () -> closeListeners.remove(listener);
    }

    /** MAGI is shutting down: tells every close listener, once. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Runnable listener : closeListeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.warn("A close listener failed: {}", e.toString());
            }
        }
    }

    public int subscriberCount() {
        return subscribers.size();
    }
}
