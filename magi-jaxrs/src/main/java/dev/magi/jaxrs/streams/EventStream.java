package dev.magi.jaxrs.streams;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One server-sent event stream to one client. It holds no thread: {@link #wake()} asks the shared
 * sending pool for one turn, in which everything waiting in the stream's {@link Backlog} is sent; a
 * stream has at most one turn queued or running, so its events go out in order and a client that
 * stops reading holds at most one sending thread, for as long as the container lets its write block.
 * A send that fails (the client went away) closes the stream at once; a quiet stream learns it at the
 * next keep-alive.
 */
public final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    /** A send that an implementation completes later than it returns is waited for this long at most. */
    private static final long SEND_PATIENCE_SECONDS = 30;

    private final EventStreams owner;
    private final SseEventSink sink;
    private final Sse sse;
    private final Executor sender;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** A turn is queued or running. */
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Something may have arrived since the running turn last looked. */
    private volatile boolean pending;
    private volatile boolean keepAliveDue;
    private volatile boolean sentSinceHeartbeat;
    private volatile Backlog backlog;
    private volatile Runnable onClose = () -> { };

    EventStream(EventStreams owner, SseEventSink sink, Sse sse, Executor sender) {
        this.owner = owner;
        this.sink = sink;
        this.sse = sse;
        this.sender = sender;
    }

    /**
     * Starts sending what {@code from} holds, now and at each {@link #wake()}; {@code onClose} runs once
     * when the stream ends (the client went away, or MAGI is shutting down), to stop its producers.
     */
    public void start(Backlog from, Runnable whenClosed) {
        this.onClose = whenClosed;
        this.backlog = from;
        if (closed.get()) {
            // Closed before it started (MAGI shut down in between): the producers stop now.
            whenClosed.run();
            return;
        }
        wake();
    }

    /**
     * Something was added to the backlog: sends it soon, on the shared pool. Never blocks, so producers
     * call it on their own threads (the event hub, a server's output drain).
     */
    public void wake() {
        pending = true;
        if (backlog == null || closed.get() || !scheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            sender.execute(this::turn);
        } catch (RejectedExecutionException e) {
            // The pool is shut down: MAGI is stopping.
            scheduled.set(false);
            close();
        }
    }

    /**
     * Gives back the stream's place without having used the sink: for a request that fails after the
     * place was taken (an unknown model), so that the error is answered as usual.
     */
    public void abandon() {
        if (closed.compareAndSet(false, true)) {
            owner.release(this);
        }
    }

    /** Ends the stream now: its place is given back, its producers stopped, the response ended. */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        owner.release(this);
        try {
            onClose.run();
        } catch (RuntimeException e) {
            LOG.debug("Stopping the producers of an event stream: {}", e.toString());
        }
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.debug("Closing an event stream: {}", e.toString());
        }
    }

    boolean isClosed() {
        return closed.get() || sink.isClosed();
    }

    /**
     * Called by the shared timer: a stream whose client is known to be gone is closed; one that sent
     * nothing since the last heartbeat sends a comment, which finds out whether the client is still there.
     */
    void heartbeat() {
        if (isClosed()) {
            close();
            return;
        }
        if (!sentSinceHeartbeat) {
            keepAliveDue = true;
            wake();
        }
        sentSinceHeartbeat = false;
    }

    /** One turn on the pool: sends everything waiting, again while more arrives, then gives the turn back. */
    private void turn() {
        try {
            while (pending && !isClosed()) {
                pending = false;
                List<StreamEvent> events = backlog.take();
                if (events.isEmpty() && keepAliveDue) {
                    events = List.of(StreamEvent.comment("keep-alive"));
                }
                keepAliveDue = false;
                for (StreamEvent event : events) {
                    if (!send(event)) {
                        close();
                        return;
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("An event stream failed and was closed: {}", e.toString());
            close();
            return;
        } finally {
            scheduled.set(false);
        }
        if (isClosed()) {
            close();
        } else if (pending) {
            // A wake came between the last look and giving the turn back: it found the turn taken.
            wake();
        }
    }

    private boolean send(StreamEvent event) {
        OutboundSseEvent outbound = event.isComment()
                ? sse.newEventBuilder().comment(event.data().toString()).build()
                : sse.newEventBuilder().name(event.name()).mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(event.data()).build();
        try {
            sink.send(outbound).toCompletableFuture().get(SEND_PATIENCE_SECONDS, TimeUnit.SECONDS);
            sentSinceHeartbeat = true;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            // The client went away, or stopped reading for longer than the container allows.
            return false;
        }
    }
}
