package dev.magi.jaxrs.gateway;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The rest of a refused request's body, read and thrown away before the refusal is sent. Why: a
 * server that closes a connection while request bytes are still unread makes TCP reset it, and a
 * client still writing its body then loses the answer (the JDK's client reports "header parser
 * received no bytes"); a client that could write its body to the end reads the 413, and its
 * connection stays open for the next request. Tomcat's {@code maxSwallowSize} and Apache's lingering
 * close exist for the same reason.
 *
 * <p>Bounded for a hostile client: at most {@link #MAX_READ_BYTES} of a body are read in all (one
 * declared larger is not read at all), the bytes go to one small buffer shared by every refused body,
 * and the reads wait without a thread, each no longer than the connection's idle timeout. The whole
 * discard has a deadline too (the request body timeout): without it, a client sending a byte just
 * under every idle timeout would keep its connection for days. A body not read to its end, by the
 * deadline or past {@link #MAX_READ_BYTES}, is {@code cutOff}: its answer closes the connection.
 */
final class RefusedBody implements ReadListener {
    private static final Logger LOG = LoggerFactory.getLogger(RefusedBody.class);
    /** How much of a refused body is read, counted from its first byte: twice the gateway's limit. */
    static final long MAX_READ_BYTES = 2 * InferenceRequest.MAX_BODY_BYTES;
    /** Where the bytes go: one buffer for every refused body, since nobody reads what is written to it. */
    private static final byte[] SINK = new byte[16 * 1024];

    private final ServletInputStream in;
    private final Runnable cutOff;
    private final BodyDeadline deadline;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** Set by whichever comes first: the body's end, or its giving up. */
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile long read;

    /**
     * @param read     how much of the body was read already
     * @param deadline when the rest must have arrived
     * @param cutOff   run once when the body is given up before its end
     */
    RefusedBody(ServletInputStream in, long read, BodyDeadline deadline, Runnable cutOff) {
        this.in = in;
        this.read = read;
        this.deadline = deadline;
        this.cutOff = cutOff;
        // Cancelled once the body is done: nothing is kept after the end.
        Runnable timer = deadline.schedule(this::expire);
        done.whenComplete((ended, failure) -> timer.run());
    }

    /**
     * Reads the body of a request refused before any of it was read; the request must be asynchronous
     * already. A body declared larger than {@link #MAX_READ_BYTES} is not read, nor one whose client
     * waits for {@code 100 Continue} (reading would ask it to send what is thrown away).
     *
     * @return done once the body was read to its end or given up (never failed)
     */
    static CompletableFuture<Void> readRest(HttpServletRequest request, BodyDeadline deadline, Runnable cutOff)
            throws IOException {
        if (request.getContentLengthLong() > MAX_READ_BYTES || "100-continue".equalsIgnoreCase(request.getHeader(
                "Expect"))) {
            cutOff.run();
            return CompletableFuture.completedFuture(null);
        }
        RefusedBody body = new RefusedBody(request.getInputStream(), 0, deadline, cutOff);
        try {
            body.in.setReadListener(body);
        } catch (RuntimeException e) {
            // Never read, the body is not given up at the deadline either: its timer goes, and says nothing.
            body.settled.set(true);
            body.done.complete(null);
            throw e;
        }
        return body.done;
    }

    /** Done once the body was read to its end or given up; never failed. */
    CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (!done.isDone() && in.isReady()) {
            int n = in.read(SINK);
            if (n < 0) {
                return;
            }
            read += n;
            if (read > MAX_READ_BYTES) {
                giveUp();
                return;
            }
        }
    }

    @Override
    public void onAllDataRead() {
        if (settled.compareAndSet(false, true)) {
            done.complete(null);
        }
    }

    /** The client went away or fell silent for the idle timeout: the refusal, if it is heard, closes. */
    @Override
    public void onError(Throwable failure) {
        giveUp();
    }

    /** The deadline passed before the body's end: the refusal is sent now, and closes the connection. */
    private void expire() {
        if (!settled.get()) {
            // Expected of a slow or hostile client, not a fault of MAGI's: one line, no stack trace.
            LOG.info("A refused request body did not arrive within {} s ({} bytes came); its connection is closed"
                    + " after the refusal", deadline.seconds(), read);
        }
        giveUp();
    }

    private void giveUp() {
        // Once only, and never after the body's end: the answer of a body read whole keeps its connection.
        if (settled.compareAndSet(false, true)) {
            cutOff.run();
            done.complete(null);
        }
    }
}
