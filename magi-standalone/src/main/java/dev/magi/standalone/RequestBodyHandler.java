package dev.magi.standalone;

import dev.magi.jaxrs.gateway.GatewayPaths;
import dev.magi.jaxrs.security.BodySizeLimitFilter;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads each request body in full, without a thread, before the API sees it, and answers 408
 * {@code RequestTimeout} to a client that takes longer than the body timeout to send it (on the
 * gateway's paths, the gateway's 400 {@code invalid_json}: see {@link OpenAiErrorShape}).
 *
 * <p>Why: Jersey reads bodies with blocking reads, so a client that sends a body a few bytes at a
 * time holds a server thread for as long as it likes; two hundred such clients held every thread and
 * {@code /health} stopped answering. Here the bytes are gathered as they arrive, by Jetty's demand
 * callbacks, and the API is called only once the whole body is in memory, where reading it cannot
 * block. Only the body is timed: a kept-alive connection idle between two requests is governed by the
 * connection's idle timeout alone.
 *
 * <p>A body larger than the API takes ({@link BodySizeLimitFilter#MAX_BODY_BYTES}), by its
 * {@code Content-Length} or as its chunks come, is read to its end and thrown away, up to
 * {@link BodySizeLimitFilter#MAX_DISCARDED_BYTES} past the limit and within the body timeout, and then
 * handed on, so that the API refuses it with 413: a server that closes a connection with request bytes
 * unread makes TCP reset it, and a client still writing its body would lose the answer. The API's own
 * discard would do the same with a blocking read, holding a thread per slow client. A body declared
 * larger than that, or one still coming past it, is handed on unread and its connection closed after
 * the 413. The gateway's paths read and refuse their own bodies (see {@code RefusedBody}).
 *
 * <p>What is being gathered is bounded in all, not only per request: without threads to bound them,
 * a thousand clients could each send all but the last byte of a 1 MiB body and hold a gigabyte. A
 * body that would take the bytes being gathered past {@link #GATHERING_BUDGET_BYTES} is answered 503
 * {@code ServiceUnavailable} with {@code Retry-After} at once, by its {@code Content-Length} when it
 * has one, else as its chunks come.
 */
final class RequestBodyHandler extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(RequestBodyHandler.class);

    /** What all bodies being gathered at once may hold. */
    static final long GATHERING_BUDGET_BYTES = 64L * 1024 * 1024;
    /** Seconds a client refused for the budget is asked to wait: bodies arrive or time out by then. */
    static final int RETRY_AFTER_SECONDS = 5;

    private final Duration timeout;
    private final long budgetBytes;
    private final AtomicLong gathering = new AtomicLong();

    RequestBodyHandler(Handler next, Duration timeout) {
        this(next, timeout, GATHERING_BUDGET_BYTES);
    }

    RequestBodyHandler(Handler next, Duration timeout, long budgetBytes) {
        super(next);
        this.timeout = timeout;
        this.budgetBytes = budgetBytes;
    }

    /** Takes {@code bytes} of the budget, or nothing and false when they do not fit. */
    private boolean reserve(long bytes) {
        long after = gathering.addAndGet(bytes);
        if (after > budgetBytes) {
            gathering.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    /** Bytes of the budget taken by bodies being gathered now. */
    long gatheringBytes() {
        return gathering.get();
    }

    private static void refuseBusy(Request request, Response response, Callback callback) {
        LOG.info("ServiceUnavailable: the body of {} {} from {} is refused: too many bodies are arriving at once",
                request.getMethod(), request.getHttpURI().getPath(), Request.getRemoteAddr(request));
        response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(RETRY_AFTER_SECONDS));
        Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503,
                "Too many request bodies are arriving at once; try again in " + RETRY_AFTER_SECONDS + " s");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long length = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
        boolean chunked = request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (length <= 0 && !chunked) {
            // No body to wait for.
            return super.handle(request, response, callback);
        }
        boolean api = !isGateway(request);
        if (length > BodySizeLimitFilter.MAX_BODY_BYTES) {
            if (!api || request.getHeaders().contains(HttpHeader.EXPECT, "100-continue")) {
                // The gateway reads its larger bodies itself; a client waiting for 100 Continue is refused
                // before it sends a body that would be thrown away.
                return super.handle(request, response, callback);
            }
            if (length > BodySizeLimitFilter.MAX_BODY_BYTES + BodySizeLimitFilter.MAX_DISCARDED_BYTES) {
                // Refused from its Content-Length, unread: the connection cannot carry another request.
                closeAfterAnswer(response);
                return super.handle(request, response, callback);
            }
            new BodyLoader(request, response, callback, length, true).start();
            return true;
        }
        long declared = Math.max(0, length);
        if (!reserve(declared)) {
            refuseBusy(request, response, callback);
            return true;
        }
        new BodyLoader(request, response, callback, declared, api).start();
        return true;
    }

    /** Whether the request is for the gateway, which takes bodies larger than the API's. */
    private static boolean isGateway(Request request) {
        List<String> segments = new ArrayList<>(Arrays.asList(Request.getPathInContext(request).split("/")));
        while (!segments.isEmpty() && segments.get(0).isEmpty()) {
            segments.remove(0);
        }
        return GatewayPaths.isGateway(segments);
    }

    /** The answer says that the connection closes after it, so that the client sends no next request on it. */
    private static void closeAfterAnswer(Response response) {
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    }

    /** Gathers one request's body, then calls the next handler, or answers 408 at the deadline. */
    private final class BodyLoader implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        /** Set once, by whichever comes first: the whole body, a failure or the deadline. */
        private boolean settled;
        private Scheduler.Task deadline;
        /** Budget taken: the Content-Length, or what has come of a chunked body. */
        private long reserved;
        private final boolean declared;
        /** Whether the body is the API's, which refuses one over its limit. */
        private final boolean api;
        /** Set once the body is known to be over the API's limit: what comes is counted and thrown away. */
        private boolean discarding;
        private long discarded;

        /** @param declaredLength the body's Content-Length, or 0 */
        BodyLoader(Request request, Response response, Callback callback, long declaredLength, boolean api) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.api = api;
            this.discarding = declaredLength > BodySizeLimitFilter.MAX_BODY_BYTES;
            // A body being thrown away holds no memory: it takes none of the budget.
            this.reserved = discarding ? 0 : declaredLength;
            this.declared = declaredLength > 0;
        }

        /** Gives the budget back; called once, when the loader is settled. */
        private void release() {
            long bytes;
            synchronized (this) {
                bytes = reserved;
                reserved = 0;
            }
            gathering.addAndGet(-bytes);
        }

        void start() {
            synchronized (this) {
                deadline = request.getComponents().getScheduler()
                        .schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            run();
        }

        /** Reads what has come; called again by Jetty each time more arrives. */
        @Override
        public void run() {
            while (true) {
                synchronized (this) {
                    if (settled) {
                        // Answered already (the deadline passed): what the client still sends is not read.
                        return;
                    }
                }
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    // Called back when more has come; one that comes after the deadline stops at the check above.
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    fail(chunk.getFailure());
                    return;
                }
                boolean last = chunk.isLast();
                boolean complete;
                boolean overBudget = false;
                boolean cutOff = false;
                synchronized (this) {
                    if (settled) {
                        chunk.release();
                        return;
                    }
                    ByteBuffer bytes = chunk.getByteBuffer();
                    if (discarding) {
                        // Counted, not copied: the API refuses the body whatever it holds.
                        discarded += bytes.remaining();
                        // Counted from the body's first byte, as a Content-Length is.
                        cutOff = body.size() + discarded
                                > BodySizeLimitFilter.MAX_BODY_BYTES + BodySizeLimitFilter.MAX_DISCARDED_BYTES;
                    } else {
                        // Copied, not retained: a retained chunk of a few bytes would pin a whole network buffer.
                        byte[] copy = new byte[bytes.remaining()];
                        bytes.get(copy);
                        if (!declared && !reserve(copy.length)) {
                            overBudget = true;
                        } else {
                            reserved += declared ? 0 : copy.length;
                            body.write(copy, 0, copy.length);
                        }
                        if (api && !overBudget && !last && body.size() > BodySizeLimitFilter.MAX_BODY_BYTES) {
                            // The API refuses it once it has come; what is kept shows it that the limit was passed.
                            discarding = true;
                        }
                    }
                    complete = overBudget || cutOff || last || !api && body.size() > BodySizeLimitFilter.MAX_BODY_BYTES;
                    if (complete) {
                        settled = true;
                        deadline.cancel();
                    }
                }
                chunk.release();
                if (overBudget) {
                    release();
                    refuseBusy(request, response, callback);
                    return;
                }
                if (cutOff) {
                    // Read far enough: the rest is left unread, and the connection is closed after the 413.
                    closeAfterAnswer(response);
                }
                if (complete) {
                    // A body refused by the API is whole for it: what was thrown away is not its business.
                    proceed(last || discarding, last);
                    return;
                }
            }
        }

        private void proceed(boolean whole, boolean readToEnd) {
            Request buffered = new BufferedBodyRequest(request, body.toByteArray(), whole, readToEnd);
            // The bytes now belong to the request the API reads at once; the budget is for bodies still coming.
            release();
            try {
                if (!getHandler().handle(buffered, response, callback)) {
                    Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
                }
            } catch (Throwable e) {
                Response.writeError(request, response, callback, e);
            }
        }

        private void fail(Throwable failure) {
            synchronized (this) {
                if (settled) {
                    return;
                }
                settled = true;
                deadline.cancel();
            }
            release();
            if (failure instanceof TimeoutException) {
                // The connection went silent for the whole idle timeout, part-way through the body.
                answerTimeout("the connection was silent for the idle timeout (" + failure.getMessage() + ")");
            } else {
                // The client went away part-way through, or sent a malformed body: its fault, not MAGI's,
                // so one line and a 400 (which a client that left never reads), not a stack trace at ERROR.
                LOG.info("InvalidRequest: the body of {} {} from {} ended before it was complete: {}",
                        request.getMethod(), request.getHttpURI().getPath(), Request.getRemoteAddr(request),
                        failure.getClass().getSimpleName());
                String message = "The request body ended before it was complete";
                Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400, message,
                        new UnreadableBodyException(message));
            }
        }

        private void expire() {
            synchronized (this) {
                if (settled) {
                    return;
                }
                settled = true;
            }
            release();
            answerTimeout("the client took longer than " + seconds() + " s to send it");
        }

        private String seconds() {
            return String.valueOf(timeout.toMillis() / 1000.0);
        }

        private void answerTimeout(String why) {
            int received;
            synchronized (this) {
                received = body.size();
                body.reset();
            }
            // Expected of a slow or stalled client, not a fault of MAGI: one line, no stack trace.
            LOG.info("RequestTimeout: the body of {} {} from {} is refused: {} ({} bytes came)",
                    request.getMethod(), request.getHttpURI().getPath(), Request.getRemoteAddr(request), why, received);
            String message = "The request body did not arrive in time: " + why;
            Response.writeError(request, response, callback, HttpStatus.REQUEST_TIMEOUT_408, message,
                    new UnreadableBodyException(message));
        }
    }

    /**
     * Whether the request's body was gathered here to its last byte, so that none of it is left on the
     * connection (a body handed on unread, or cut off, still has bytes coming).
     */
    static boolean gatheredToItsEnd(Request request) {
        BufferedBodyRequest buffered = Request.as(request, BufferedBodyRequest.class);
        return buffered != null && buffered.readToEnd;
    }

    /** The request with its body already read: the API reads it from memory. */
    private static final class BufferedBodyRequest extends Request.Wrapper {
        private final boolean whole;
        /** Whether the body's last byte was read off the connection (not only what the API is to see). */
        private final boolean readToEnd;
        private Content.Chunk pending;

        BufferedBodyRequest(Request request, byte[] body, boolean whole, boolean readToEnd) {
            super(request);
            this.whole = whole;
            this.readToEnd = readToEnd;
            this.pending = Content.Chunk.from(ByteBuffer.wrap(body), whole);
        }

        @Override
        public synchronized Content.Chunk read() {
            if (pending != null) {
                Content.Chunk chunk = pending;
                pending = null;
                return chunk;
            }
            // Past what was gathered: the end, or the rest of a body too large, which the API refuses.
            return whole ? Content.Chunk.EOF : super.read();
        }

        @Override
        public void demand(Runnable demandCallback) {
            boolean ready;
            synchronized (this) {
                ready = pending != null || whole;
            }
            if (ready) {
                demandCallback.run();
            } else {
                super.demand(demandCallback);
            }
        }
    }
}
