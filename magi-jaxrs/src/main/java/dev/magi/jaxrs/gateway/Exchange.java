package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The client's side of one gateway request, answered asynchronously: no thread waits for the answer,
 * and each chunk is written without blocking, the next asked of llama-server only once the client took
 * this one (so a slow reader slows llama-server's stream instead of filling MAGI's memory). A client
 * that goes away (a failed write, the container's error) is told to whoever listens, so that its
 * request leaves the queue or its upstream request is closed.
 */
final class Exchange implements WriteListener, AsyncListener {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

    /** A chunk to write, then flush when {@code flush}, then {@code written} to run. */
    private static final class Pending {
        final byte[] bytes;
        final boolean flush;
        final Runnable written;
        boolean sent;

        Pending(byte[] bytes, boolean flush, Runnable written) {
            this.bytes = bytes;
            this.flush = flush;
            this.written = written;
        }
    }

    private final AsyncContext async;
    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final ClientWatch watch;
    private final GatewayTimers timers;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final List<Runnable> goneListeners = new ArrayList<>();
    private ServletOutputStream out;
    private boolean begun;
    private boolean ending;
    private boolean completed;
    private boolean gone;

    private Exchange(AsyncContext async, HttpServletRequest request, HttpServletResponse response, ClientWatch watch,
                     GatewayTimers timers) {
        this.async = async;
        this.request = request;
        this.response = response;
        this.watch = watch;
        this.timers = timers;
    }

    /**
     * Suspends the request: the container's thread returns, and the answer is written later.
     *
     * @param timers where {@link #watchAfter} waits out its grace
     */
    static Exchange start(HttpServletRequest request, HttpServletResponse response, ClientWatch watch,
                          GatewayTimers timers) {
        AsyncContext async = request.startAsync(request, response);
        // A generation may take minutes before its first byte; the queue has its own timeout.
        async.setTimeout(0);
        Exchange exchange = new Exchange(async, request, response, watch, timers);
        async.addListener(exchange);
        return exchange;
    }

    /** Runs {@code listener} once the client is gone (at once when it already is). */
    void onGone(Runnable listener) {
        synchronized (this) {
            if (!gone) {
                goneListeners.add(listener);
                return;
            }
        }
        listener.run();
    }

    /**
     * While {@code wait} (a wait for a slot) is not done, watches the client's connection, so that a
     * client that closes it is gone at once rather than at the end of the wait.
     */
    void watchWhile(CompletableFuture<?> wait) {
        watchWhile(wait, "its request waited");
    }

    /**
     * If {@code answering} (an answer asked of llama-server, not begun yet) is not done after
     * {@code grace}, watches the client's connection until it is, so that a client that leaves during
     * a long generation is gone at once rather than at the answer's first write. Not at once: a watched
     * connection is not kept alive after its answer, and most answers (a quick one, a stream whose prompt
     * is read quickly) begin within the grace, so they keep their connection.
     */
    void watchAfter(Duration grace, CompletableFuture<?> answering) {
        if (watch == ClientWatch.NONE || answering.isDone()) {
            return;
        }
        // Cancelled once the answer began or failed, which most do within the grace: no timer outlives its
        // answer, nor holds the request (and its body) for the rest of the grace.
        Runnable cancel = timers.at(System.nanoTime() + grace.toNanos(), () -> {
            synchronized (this) {
                if (begun || gone) {
                    return;
                }
            }
            watchWhile(answering, "its answer was generated");
        });
        answering.whenComplete((answer, failure) -> cancel.run());
    }

    private void watchWhile(CompletableFuture<?> wait, String when) {
        if (wait.isDone() || watch == ClientWatch.NONE) {
            return;
        }
        Runnable stop;
        synchronized (this) {
            if (begun) {
                // Its headers are out without the close below: a watch now would close a connection the
                // client was told it may keep. A client gone from here on is noticed by the writes.
                return;
            }
            stop = watch.watch(request, () -> failed(new IOException("The client closed its connection while "
                    + when)));
            if (stop != ClientWatch.NOT_WATCHED) {
                // A watched connection is not kept alive after the answer (see the host's watch): the client
                // is told so, else it would send its next request on a connection about to close. Watched and
                // set under the lock that begin() takes, so that no answer begins between the two.
                response.setHeader("Connection", "close");
            }
        }
        wait.whenComplete((result, failure) -> stop.run());
    }

    /**
     * The connection is to be closed after the answer (a refused body was left unread): the answer says
     * so, else a kept-alive client would send its next request on a connection about to close.
     */
    synchronized void closeAfterAnswer() {
        if (!begun) {
            response.setHeader("Connection", "close");
        }
    }

    synchronized boolean gone() {
        return gone;
    }

    /** Whether the answer's status and headers were sent, or are about to be. */
    synchronized boolean begun() {
        return begun;
    }

    /**
     * Sends the status and the headers; the body follows with {@link #write}, and {@link #end} ends it.
     *
     * @param contentLength the body's length when known, else -1 (the body is then chunked)
     */
    void begin(int status, AnswerHeaders headers, long contentLength) throws IOException {
        synchronized (this) {
            if (begun) {
                throw new IllegalStateException("the answer has begun already");
            }
            begun = true;
            if (completed) {
                return;
            }
            response.setStatus(status);
            headers.forEach(response::addHeader);
            if (contentLength >= 0) {
                response.setContentLengthLong(contentLength);
            }
        }
        ServletOutputStream stream = response.getOutputStream();
        stream.setWriteListener(this);
        synchronized (this) {
            out = stream;
        }
        drain();
    }

    /** Queues a chunk; {@code written} runs once the client's connection took it (not when it is gone). */
    void write(byte[] bytes, boolean flush, Runnable written) {
        synchronized (this) {
            pending.add(new Pending(bytes, flush, written));
        }
        drain();
    }

    /** Ends the answer once what is queued is written. */
    void end() {
        synchronized (this) {
            ending = true;
            if (out == null) {
                completeLocked();
                return;
            }
        }
        drain();
    }

    /**
     * The answer to a request refused before any answer began, in OpenAI's shape; an error once the
     * answer began can only end it.
     */
    void refuse(Throwable failure) {
        GatewayException refusal = refusal(failure);
        if (refusal.error().httpStatus() >= 500) {
            LOG.warn("{}: {}", refusal.error().code(), refusal.getMessage());
        } else {
            LOG.debug("{}: {}", refusal.error().code(), refusal.getMessage());
        }
        AnswerHeaders headers = new AnswerHeaders().add("Content-Type", "application/json");
        if (refusal.retryAfterSeconds() != null) {
            headers.add("Retry-After", refusal.retryAfterSeconds());
        }
        if (refusal.error() == GatewayError.INVALID_API_KEY) {
            headers.add("WWW-Authenticate", "Bearer realm=\"magi\"");
        }
        byte[] body = OpenAiErrors.bytes(refusal.getMessage(), refusal.error().type().wireName(), refusal.param(),
                refusal.error().code());
        answer(refusal.error().httpStatus(), headers, body);
    }

    /** A whole answer at once: status, headers and body. */
    void answer(int status, AnswerHeaders headers, byte[] body) {
        synchronized (this) {
            if (begun) {
                ending = true;
                if (out == null) {
                    completeLocked();
                }
                return;
            }
        }
        try {
            begin(status, headers, body.length);
            write(body, false, () -> { });
        } catch (IOException e) {
            failed(e);
        }
        end();
    }

    /** A refusal for any failure: a gateway's own, a server out of reach, or an unexpected one (logged). */
    private static GatewayException refusal(Throwable failure) {
        Throwable cause = Inference.unwrap(failure);
        if (cause instanceof GatewayException refusal) {
            return refusal;
        }
        String id = UUID.randomUUID().toString();
        LOG.error("An unexpected failure answering a gateway request (id {})", id, cause);
        return new GatewayException(GatewayError.UPSTREAM_UNAVAILABLE, "The request failed unexpectedly (id "
                + id + " in MAGI's log)", null, null);
    }

    /** Writes what it can without blocking; the container calls again once it can take more. */
    private void drain() {
        List<Runnable> done = new ArrayList<>();
        try {
            synchronized (this) {
                if (out == null || completed) {
                    return;
                }
                while (out.isReady()) {
                    Pending next = pending.peek();
                    if (next == null) {
                        if (ending) {
                            completeLocked();
                        }
                        break;
                    }
                    if (!next.sent) {
                        next.sent = true;
                        out.write(next.bytes);
                        if (next.flush) {
                            continue;
                        }
                    } else if (next.flush) {
                        out.flush();
                    }
                    pending.poll();
                    done.add(next.written);
                }
            }
        } catch (IOException | IllegalStateException e) {
            failed(e);
            return;
        }
        done.forEach(Runnable::run);
    }

    private void completeLocked() {
        if (!completed) {
            completed = true;
            try {
                async.complete();
            } catch (IllegalStateException e) {
                // The container ended the request itself (the client went away): nothing left to end.
                LOG.debug("The request had ended already: {}", e.toString());
            }
        }
    }

    /** The client is gone: what was to be written is dropped, and the listeners are told. */
    private void failed(Throwable failure) {
        List<Runnable> listeners;
        synchronized (this) {
            if (gone) {
                return;
            }
            gone = true;
            pending.clear();
            listeners = new ArrayList<>(goneListeners);
            goneListeners.clear();
            completeLocked();
        }
        LOG.debug("The client of a gateway request went away: {}", failure.toString());
        listeners.forEach(Runnable::run);
    }

    @Override
    public void onWritePossible() {
        drain();
    }

    @Override
    public void onError(Throwable failure) {
        failed(failure);
    }

    @Override
    public void onComplete(AsyncEvent event) {
        // Nothing to do: completion is this class's own doing, or follows an error already handled.
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        failed(new IOException("the request timed out"));
    }

    @Override
    public void onError(AsyncEvent event) {
        failed(event.getThrowable() == null ? new IOException("the connection failed") : event.getThrowable());
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Never started again.
    }
}
