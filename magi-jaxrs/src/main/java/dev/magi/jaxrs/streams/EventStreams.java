package dev.magi.jaxrs.streams;

import dev.magi.jaxrs.errors.MagiExceptionMapper;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every open server-sent event stream of one API: at most {@code maxStreams} at once, sent by one small
 * pool of threads shared by all of them, kept alive and checked by one shared timer. Closing it (MAGI is
 * shutting down) ends every stream at once, without waiting for a heartbeat.
 */
public final class EventStreams implements AutoCloseable {
    /** How often a quiet stream sends a comment: what finds a client that went away without a word. */
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    /**
     * What a client over the limit is told to wait: a stream whose client went away is noticed within
     * about a heartbeat, so that is when a place is likely to be free.
     */
    static final long RETRY_AFTER_SECONDS = HEARTBEAT.toSeconds();
    /**
     * Sending threads at most. Writes to a client are blocking in JAX-RS, so a thread is held while a
     * write waits on a client that stopped reading; a few cover that, and idle ones end.
     */
    static final int SENDING_THREADS = 4;

    private final int maxStreams;
    private final ThreadPoolExecutor sender;
    private final ScheduledExecutorService timer;

    // Guarded by this.
    private final Set<EventStream> open = new LinkedHashSet<>();
    private boolean closed;

    public EventStreams(int maxStreams) {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1, got " + maxStreams);
        }
        this.maxStreams = maxStreams;
        sender = new ThreadPoolExecutor(SENDING_THREADS, SENDING_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemons("magi-event-sender-"));
        sender.allowCoreThreadTimeOut(true);
        ScheduledThreadPoolExecutor heartbeat = new ScheduledThreadPoolExecutor(1, daemons("magi-event-heartbeat-"));
        heartbeat.setRemoveOnCancelPolicy(true);
        timer = heartbeat;
        timer.scheduleWithFixedDelay(this::heartbeat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Takes a place for a new stream to {@code sink}; start it with {@link EventStream#start}.
     *
     * @throws MagiException {@link ErrorCode#SERVICE_UNAVAILABLE} when {@code maxStreams} are open
     *                       (with {@code retryAfterSeconds}), or when MAGI is shutting down
     */
    public EventStream open(SseEventSink sink, Sse sse) {
        synchronized (this) {
            if (closed) {
                throw new MagiException(ErrorCode.SERVICE_UNAVAILABLE, "MAGI is shutting down");
            }
            if (open.size() >= maxStreams) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("maxEventStreams", maxStreams);
                details.put(MagiExceptionMapper.RETRY_AFTER_SECONDS, RETRY_AFTER_SECONDS);
                throw new MagiException(ErrorCode.SERVICE_UNAVAILABLE, "Too many event streams are open (at most "
                        + maxStreams + ", --max-event-streams); try again later", details);
            }
            EventStream stream = new EventStream(this, sink, sse, sender);
            open.add(stream);
            return stream;
        }
    }

    /** How many streams are open now. */
    public synchronized int openCount() {
        return open.size();
    }

    synchronized void release(EventStream stream) {
        open.remove(stream);
    }

    private void heartbeat() {
        for (EventStream stream : snapshot()) {
            stream.heartbeat();
        }
    }

    private synchronized List<EventStream> snapshot() {
        return new ArrayList<>(open);
    }

    /** Ends every stream now and stops the threads; later streams are refused. Closing twice is harmless. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        for (EventStream stream : snapshot()) {
            stream.close();
        }
        timer.shutdownNow();
        sender.shutdown();
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
