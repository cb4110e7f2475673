package dev.magi.jaxrs.gateway;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 *
 * <p>Once passing began ({@link #startDeadline}, at admission), the body must be whole within the
 * request body timeout: past it nothing more is read and the upstream request fails with the
 * deadline's {@code invalid_json}, which aborts it and gives its slot back. Not counted while the
 * request waits for a slot: then MAGI, not the client, holds the body back.
 */
final class StreamedBody extends AsyncRequestContent implements ReadListener {
    private static final Logger LOG = LoggerFactory.getLogger(StreamedBody.class);

    private final ServletInputStream in;
    private final long length;
    private final long limit;
    private final GatewayTimers timers;
    private final Duration timeout;
    private final Runnable cutOff;
    private final byte[] buffer = new byte[64 * 1024];
    private long read;
    private boolean finished;
    /** Set once the body passed the limit: what comes next is thrown away. */
    private RefusedBody refused;
    /** The deadline of the body's passing, once it began; else null. */
    private BodyDeadline deadline;
    private Runnable cancelDeadline = () -> { };
    /** Set once the deadline passed before the body's end: the answer is the deadline's refusal. */
    private boolean overdue;
    /** Why the client's body could not be read (broken chunks, the idle timeout); else null. */
    private Throwable readFailure;

    /**
     * @param length  the body's length when the client said it, else -1 (it is then sent chunked)
     * @param timers  the deadlines' timers
     * @param timeout how long the body may take to pass, and the rest of a refused one to be read and
     *                thrown away
     * @param cutOff  run when a body is given up before its end, so that the answer closes the connection
     */
    StreamedBody(ServletInputStream in, long length, long limit, GatewayTimers timers, Duration timeout,
                 Runnable cutOff) {
        this.in = in;
        this.length = length;
        this.limit = limit;
        this.timers = timers;
        this.timeout = timeout;
        this.cutOff = cutOff;
    }

    /** Starts reading; the request must be asynchronous already. */
    StreamedBody start() {
        in.setReadListener(this);
        return this;
    }

    /** The body is being passed on: it must be whole within the timeout, counted from now. */
    synchronized void startDeadline() {
        if (finished || deadline != null) {
            return;
        }
        deadline = timers.start(timeout);
        cancelDeadline = deadline.schedule(this::expire);
    }

    /** The deadline's refusal, when the body missed it; else null. */
    synchronized Throwable overdue() {
        return overdue ? deadline.tooSlow() : null;
    }

    /** Why the client's body could not be read, when it could not (the client's fault); else null. */
    synchronized Throwable readFailure() {
        return readFailure;
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
            finished();
            refused = new RefusedBody(in, read, discardDeadline(), cutOff);
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
                    finished();
                    refused = new RefusedBody(in, read, discardDeadline(), cutOff);
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
            finished();
            if (refused != null) {
                refused.onError(e);
            } else {
                readFailure = e;
                fail(e);
            }
        }
    }

    private void finish() {
        if (!finished) {
            finished();
            close();
        }
    }

    /**
     * The deadline of a discard: the body's own once it was being passed on, else the timeout from now
     * (a refusal after a wait for a slot, while MAGI held the body back).
     */
    private BodyDeadline discardDeadline() {
        return deadline != null ? deadline : timers.start(timeout);
    }

    /**
     * The content failed (this body's own failures, or the upstream request's end before it took the whole
     * body): the deadline is of no use any more, so its timer does not keep this body (and its buffer)
     * until its hour, nor log a late "did not arrive" for a request answered long ago. Not finished: a
     * refusal still reads the rest first (see {@link #discardRest}), against a deadline of its own.
     */
    @Override
    public void fail(Throwable failure) {
        Runnable cancel;
        synchronized (this) {
            cancel = cancelDeadline;
        }
        cancel.run();
        super.fail(failure);
    }

    /** Nothing more is passed on: the deadline, if any, is of no use any more. */
    private void finished() {
        finished = true;
        cancelDeadline.run();
    }

    /** The deadline passed before the body's end: nothing more is read, and the upstream request fails. */
    private void expire() {
        Throwable refusal;
        long received;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            overdue = true;
            refusal = deadline.tooSlow();
            received = read;
        }
        // Expected of a slow or hostile client, not a fault of MAGI's: one line, no stack trace.
        LOG.info("A request body passed upstream did not arrive within {} s ({} bytes came); the request is"
                + " aborted and its connection closed", deadline.seconds(), received);
        // Outside the lock: failing the content aborts the upstream request, which answers the client.
        cutOff.run();
        fail(refusal);
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
            finished();
            discarding = refused;
            if (discarding == null && !overdue) {
                readFailure = failure;
            }
        }
        if (discarding != null) {
            discarding.onError(failure);
        } else {
            fail(failure);
        }
    }
}
