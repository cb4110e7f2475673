package dev.magi.jaxrs.resources;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One server-sent event stream to one client. Producers (a server's output reader, the event hub)
 * only offer events to a bounded queue and never wait for the network; a thread of the stream's own
 * sends them, and a comment every few seconds finds out when the client has gone away.
 */
final class EventStream {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);
    private static final int QUEUE_CAPACITY = 10_000;
    private static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private final SseEventSink sink;
    private final Sse sse;
    private final BlockingQueue<OutboundSseEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private volatile boolean closed;
    private volatile boolean overflowed;
    private volatile Thread sender;

    EventStream(SseEventSink sink, Sse sse) {
        this.sink = sink;
        this.sse = sse;
    }

    /** Queues an event; a client too slow to keep up loses the oldest events, never stalls MAGI. */
    void offer(String type, Object data) {
        if (closed) {
            return;
        }
        OutboundSseEvent event = sse.newEventBuilder().name(type).mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(data).build();
        while (!queue.offer(event)) {
            queue.poll();
            overflowed = true;
        }
    }

    /** Ends the stream now (MAGI is shutting down), without waiting for the next heartbeat. */
    void close() {
        closed = true;
        Thread thread = sender;
        if (thread != null) {
            thread.interrupt();
        }
    }

    boolean isClosed() {
        return closed || sink.isClosed();
    }

    /** Sends until the client goes away; then runs {@code onClose}. Runs on its own thread. */
    void run(String name, Runnable onClose) {
        Thread thread = new Thread(() -> {
            try {
                while (!isClosed()) {
                    OutboundSseEvent event = queue.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                    if (event == null) {
                        event = sse.newEventBuilder().comment("keep-alive").build();
                    } else if (overflowed) {
                        overflowed = false;
                        send(sse.newEventBuilder().comment("events were dropped: the client is too slow").build());
                    }
                    send(event);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closed = true;
                onClose.run();
                try {
                    sink.close();
                } catch (RuntimeException e) {
                    LOG.debug("Closing an event stream: {}", e.toString());
                }
            }
        }, name);
        thread.setDaemon(true);
        sender = thread;
        thread.start();
    }

    private void send(OutboundSseEvent event) {
        try {
            sink.send(event).toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        } catch (Exception e) {
            // The client went away or stopped reading.
            closed = true;
        }
    }
}
