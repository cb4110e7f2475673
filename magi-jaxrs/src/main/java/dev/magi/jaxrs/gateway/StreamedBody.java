package dev.magi.jaxrs.gateway;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * A request body passed on as it arrives, for {@code /upstream}: each chunk read without blocking is
 * handed to the upstream request, and the next is read only once that one was sent, so a slow server
 * slows the client rather than filling MAGI's memory. Past {@code limit} bytes nothing more is passed
 * on, the rest is read and thrown away (see {@link RefusedBody}), and then the upstream request fails
 * with {@code payload_too_large}, which is the answer (unless the server answered already).
 */
final class StreamedBody extends AsyncRequestContent implements ReadListener {
    private final ServletInputStream in;
    private final long length;
    private final long limit;
    private final Duration discardDeadline;
    private final Runnable cutOff;
    private final byte[] buffer = new byte[64 * 1024];
    private long read;
    private boolean finished;
    /** Set once the body passed the limit: what comes next is thrown away. */
    private RefusedBody refused;

    /**
     * @param length          the body's length when the client said it, else -1 (it is then sent chunked)
     * @param discardDeadline how long the rest of a refused body may take to be read and thrown away
     * @param cutOff          run when a body past the limit is given up before its end, so that the answer
     *                        closes the connection
     */
    StreamedBody(ServletInputStream in, long length, long limit, Duration discardDeadline, Runnable cutOff) {
        this.in = in;
        this.length = length;
        this.limit = limit;
        this.discardDeadline = discardDeadline;
        this.cutOff = cutOff;
    }

    /** Starts reading; the request must be asynchronous already. */
    StreamedBody start() {
        in.setReadListener(this);
        return this;
    }

    /**
     * Reads what is left of the body and throws it away instead of passing it on: the request was
     * refused (no slot, a server out of reach) before its body was read, and is answered once this is done.
     *
     * @return done once the body was read to its end or given up (never failed)
     */
    synchronized CompletableFuture<Void> discardRest() {
        if (refused == null) {
            if (finished) {
                // Read to its end already, or failed: nothing is left to read.
                return CompletableFuture.completedFuture(null);
            }
            finished = true;
            refused = new RefusedBody(in, read, discardDeadline, cutOff);
            pump();
        }
        return refused.done();
    }

    @Override
    public long getLength() {
        return length;
    }

    @Override
    public void onDataAvailable() throws IOException {
        pump();
    }

    /** Reads one chunk and passes it on; its callback reads the next. */
    private synchronized void pump() {
        try {
            if (refused != null) {
                refused.onDataAvailable();
                return;
            }
            while (!finished && in.isReady()) {
                int n = in.read(buffer);
                if (n < 0) {
                    finish();
                    return;
                }
                read += n;
                if (read > limit) {
                    finished = true;
                    refused = new RefusedBody(in, read, discardDeadline, cutOff);
                    refused.done().whenComplete((done, failure) -> fail(WholeBody.tooLarge(limit)));
                    refused.onDataAvailable();
                    return;
                }
                if (n > 0) {
                    write(ByteBuffer.wrap(Arrays.copyOf(buffer, n)), Callback.from(this::pump, this::fail));
                    return;
                }
            }
        } catch (IOException e) {
            finished = true;
            if (refused != null) {
                refused.onError(e);
            } else {
                fail(e);
            }
        }
    }

    private void finish() {
        if (!finished) {
            finished = true;
            close();
        }
    }

    @Override
    public synchronized void onAllDataRead() {
        if (refused != null) {
            refused.onAllDataRead();
        } else {
            finish();
        }
    }

    @Override
    public void onError(Throwable failure) {
        RefusedBody discarding;
        synchronized (this) {
            finished = true;
            discarding = refused;
        }
        if (discarding != null) {
            discarding.onError(failure);
        } else {
            fail(failure);
        }
    }
}
