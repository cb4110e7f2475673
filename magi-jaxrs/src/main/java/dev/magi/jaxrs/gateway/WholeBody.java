package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A request body read whole without blocking, up to {@code limit}: bytes are taken as they arrive, so
 * a client that sends slowly holds no thread. A larger body, by its {@code Content-Length} or as its
 * chunks come, is refused with {@code payload_too_large} once its rest was read and thrown away (see
 * {@link RefusedBody}), so that the client hears the 413 rather than a reset. A body not whole by its
 * {@link BodyDeadline} is refused with {@code invalid_json} at once, and its connection closed after
 * the answer: its rest is not waited for.
 */
final class WholeBody implements ReadListener {
    private static final Logger LOG = LoggerFactory.getLogger(WholeBody.class);
    private static final int READ_BYTES = 16 * 1024;

    private final ServletInputStream in;
    private final long limit;
    private final BodyDeadline deadline;
    private final Runnable cutOff;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    /** Sized for the body when its length is known: most are a few hundred bytes, read in one go. */
    private final byte[] buffer;
    private ByteArrayOutputStream bytes;
    /** Set once the body passed the limit: what comes next is thrown away. */
    private RefusedBody refused;

    /** Set once the deadline passed before the body's end: nothing more is read. */
    private boolean expired;

    private WholeBody(ServletInputStream in, long limit, long declaredLength, BodyDeadline deadline,
                      Runnable cutOff) {
        this.in = in;
        this.limit = limit;
        this.deadline = deadline;
        this.cutOff = cutOff;
        int expected = initialCapacity(declaredLength);
        this.buffer = new byte[expected > 0 ? expected : READ_BYTES];
        this.bytes = new ByteArrayOutputStream(expected > 0 ? expected : 256);
    }

    /**
     * Bytes set aside for a body before any arrive: its {@code Content-Length}, but never more than
     * {@code READ_BYTES} (0 when no length is declared). The rest grows as bytes come: a Content-Length
     * alone, sent with no body, must not take 32 MiB of memory.
     */
    static int initialCapacity(long declaredLength) {
        return declaredLength > 0 ? (int) Math.min(declaredLength, READ_BYTES) : 0;
    }

    /**
     * The body, or {@code payload_too_large}; the request must be asynchronous already.
     *
     * @param deadline when the whole body must have arrived, a refused one's rest included
     * @param cutOff   run when a body is given up before its end (too slow, or refused and not read to its
     *                 end), so that its answer closes the connection
     */
    static CompletableFuture<byte[]> read(HttpServletRequest request, long limit, BodyDeadline deadline,
                                          Runnable cutOff) throws IOException {
        if (request.getContentLengthLong() > limit) {
            return RefusedBody.readRest(request, deadline, cutOff).thenCompose(read -> CompletableFuture.failedFuture(
                    tooLarge(limit)));
        }
        WholeBody body = new WholeBody(request.getInputStream(), limit, request.getContentLengthLong(),
                deadline, cutOff);
        // Cancelled however the body ends; a refused one's discard keeps a timer of its own.
        Runnable timer = deadline.schedule(body::expire);
        body.result.whenComplete((bytes, failure) -> timer.run());
        body.in.setReadListener(body);
        return body.result;
    }

    static GatewayException tooLarge(long limit) {
        return new GatewayException(GatewayError.PAYLOAD_TOO_LARGE, "The request body is larger than "
                + (limit / (1024 * 1024)) + " MiB", null, null);
    }

    @Override
    public synchronized void onDataAvailable() throws IOException {
        while (refused == null && !expired && in.isReady()) {
            int n = in.read(buffer);
            if (n < 0) {
                return;
            }
            if (bytes.size() + (long) n > limit) {
                long read = bytes.size() + (long) n;
                bytes = null;
                refused = new RefusedBody(in, read, deadline, cutOff);
                refused.done().whenComplete((done, failure) -> result.completeExceptionally(tooLarge(limit)));
            } else {
                bytes.write(buffer, 0, n);
            }
        }
        if (refused != null) {
            refused.onDataAvailable();
        }
    }

    @Override
    public synchronized void onAllDataRead() {
        if (refused != null) {
            refused.onAllDataRead();
        } else if (!expired) {
            result.complete(bytes.toByteArray());
        }
    }

    @Override
    public synchronized void onError(Throwable failure) {
        if (refused != null) {
            refused.onError(failure);
        } else {
            result.completeExceptionally(failure);
        }
    }

    /** The deadline passed: a body still arriving is refused now; its connection closes after the answer. */
    private void expire() {
        int received;
        synchronized (this) {
            if (refused != null || result.isDone()) {
                return;
            }
            expired = true;
            received = bytes.size();
            bytes = null;
        }
        // Expected of a slow or hostile client, not a fault of MAGI's: one line, no stack trace.
        LOG.info("A request body did not arrive within {} s ({} bytes came); it is refused and its connection"
                + " closed", deadline.seconds(), received);
        // Outside the lock: the refusal is written from here.
        cutOff.run();
        result.completeExceptionally(deadline.tooSlow());
    }
}
