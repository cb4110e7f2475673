package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A request body read whole without blocking, up to {@link InferenceRequest#MAX_BODY_BYTES}: bytes are
 * taken as they arrive, so a client that sends slowly holds no thread. A larger body is refused with
 * {@code payload_too_large}: at once when its {@code Content-Length} says so, else once up to
 * {@link #MAX_DISCARDED_BYTES} more were read, so that the client hears the 413 before the close.
 */
final class WholeBody implements ReadListener {
    /** How much of a refused body is read past the limit. */
    static final long MAX_DISCARDED_BYTES = 16L * 1024 * 1024;
    private static final int READ_BYTES = 16 * 1024;

    private final ServletInputStream in;
    private final long limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    /** Sized for the body when its length is known: most are a few hundred bytes, read in one go. */
    private final byte[] buffer;
    private ByteArrayOutputStream bytes;
    private long discarded;

    private WholeBody(ServletInputStream in, long limit, long declaredLength) {
        this.in = in;
        this.limit = limit;
        int expected = declaredLength > 0 ? (int) declaredLength : 0;
        this.buffer = new byte[expected > 0 ? Math.min(expected, READ_BYTES) : READ_BYTES];
        this.bytes = new ByteArrayOutputStream(expected > 0 ? expected : 256);
    }

    /** The body, or {@code payload_too_large}; the request must be asynchronous already. */
    static CompletableFuture<byte[]> read(HttpServletRequest request, long limit) throws IOException {
        if (request.getContentLengthLong() > limit) {
            return CompletableFuture.failedFuture(tooLarge(limit));
        }
        WholeBody body = new WholeBody(request.getInputStream(), limit, request.getContentLengthLong());
        body.in.setReadListener(body);
        return body.result;
    }

    static GatewayException tooLarge(long limit) {
        return new GatewayException(GatewayError.PAYLOAD_TOO_LARGE, "The request body is larger than "
                + (limit / (1024 * 1024)) + " MiB", null, null);
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (!result.isDone() && in.isReady()) {
            int n = in.read(buffer);
            if (n < 0) {
                return;
            }
            if (bytes == null) {
                discarded += n;
                if (discarded > MAX_DISCARDED_BYTES) {
                    result.completeExceptionally(tooLarge(limit));
                }
            } else if (bytes.size() + (long) n > limit) {
                bytes = null;
                discarded = n;
            } else {
                bytes.write(buffer, 0, n);
            }
        }
    }

    @Override
    public void onAllDataRead() {
        if (bytes == null) {
            result.completeExceptionally(tooLarge(limit));
        } else {
            result.complete(bytes.toByteArray());
        }
    }

    @Override
    public void onError(Throwable failure) {
        result.completeExceptionally(failure);
    }
}
