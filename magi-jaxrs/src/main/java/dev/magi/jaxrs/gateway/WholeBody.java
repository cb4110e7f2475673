package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A request body read whole without blocking, up to {@code limit}: bytes are taken as they arrive, so
 * a client that sends slowly holds no thread. A larger body, by its {@code Content-Length} or as its
 * chunks come, is refused with {@code payload_too_large} once its rest was read and thrown away (see
 * {@link RefusedBody}), so that the client hears the 413 rather than a reset.
 */
final class WholeBody implements ReadListener {
    private static final int READ_BYTES = 16 * 1024;

    private final ServletInputStream in;
    private final long limit;
    private final Duration discardDeadline;
    private final Runnable cutOff;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    /** Sized for the body when its length is known: most are a few hundred bytes, read in one go. */
    private final byte[] buffer;
    private ByteArrayOutputStream bytes;
    /** Set once the body passed the limit: what comes next is thrown away. */
    private RefusedBody refused;

    private WholeBody(ServletInputStream in, long limit, long declaredLength, Duration discardDeadline,
                      Runnable cutOff) {
        this.in = in;
        this.limit = limit;
        this.discardDeadline = discardDeadline;
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
     * @param discardDeadline how long the rest of a body over the limit may take to be read and thrown away
     * @param cutOff          run when a refused body is given up before its end, so that its answer closes the
     *                        connection
     */
    static CompletableFuture<byte[]> read(HttpServletRequest request, long limit, Duration discardDeadline,
                                          Runnable cutOff) throws IOException {
        if (request.getContentLengthLong() > limit) {
            return RefusedBody.readRest(request, discardDeadline, cutOff).thenCompose(read -> CompletableFuture.failedFuture(
                    tooLarge(limit)));
        }
        WholeBody body = new WholeBody(request.getInputStream(), limit, request.getContentLengthLong(),
                discardDeadline, cutOff);
        body.in.setReadListener(body);
        return body.result;
    }

    static GatewayException tooLarge(long limit) {
        return new GatewayException(GatewayError.PAYLOAD_TOO_LARGE, "The request body is larger than "
                + (limit / (1024 * 1024)) + " MiB", null, null);
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (refused == null && in.isReady()) {
            int n = in.read(buffer);
            if (n < 0) {
                return;
            }
            if (bytes.size() + (long) n > limit) {
                long read = bytes.size() + (long) n;
                bytes = null;
                refused = new RefusedBody(in, read, discardDeadline, cutOff);
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
    public void onAllDataRead() {
        if (refused != null) {
            refused.onAllDataRead();
        } else {
            result.complete(bytes.toByteArray());
        }
    }

    @Override
    public void onError(Throwable failure) {
        if (refused != null) {
            refused.onError(failure);
        } else {
            result.completeExceptionally(failure);
        }
    }
}
