package dev.magi.standalone;

import dev.magi.jaxrs.gateway.ClientWatch;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The watch of one connection's close, shared by all the waits of its request. Jetty's selector keeps
 * one read interest per connection, which cannot be withdrawn: a second interest asked for while the
 * first is registered is refused. So the interest is asked for once, and each wait only points this at
 * what to run on a close; between waits it points at nothing, and a close seen then is remembered, so
 * that a later wait learns it at once instead of waiting for a slot for a client that left.
 *
 * <p>Only the end of the stream is looked for. A client that sends bytes behind its request while it
 * waits breaks HTTP/1.1 (no request may follow a {@code POST} before its answer, RFC 9112, 9.3.2): the
 * one byte read to tell them from the end is dropped, and the connection is watched no more, neither by
 * this wait nor a later one, rather than read byte by byte at a selector cycle each. Its answer closes
 * it (a waited connection is not kept alive). Once no wait watches, nothing is read here at all: what
 * becomes readable then is left for Jetty, and a later wait's interest sees it again.
 */
final class ConnectionWatcher implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionWatcher.class);

    private final EndPoint endPoint;
    /** What the current wait runs on a close; null between waits. */
    private Runnable target;
    /** Whether this is registered with the selector (or is about to be registered again). */
    private boolean interested;
    /** Whether the client closed the connection (or the connection failed). */
    private boolean closed;
    /** Whether the client sent bytes behind its request while it waited: the connection is no longer watched. */
    private boolean unwatchable;
    /** Bytes read off the connection and dropped: one at most, from a client that sent bytes while watched. */
    private long dropped;

    ConnectionWatcher(EndPoint endPoint) {
        this.endPoint = endPoint;
    }

    /**
     * Runs {@code onClose} once if the client closes the connection before the returned stop runs; at
     * once when it closed it already.
     */
    Runnable watch(Runnable onClose) {
        boolean register = false;
        boolean closedAlready;
        synchronized (this) {
            if (unwatchable) {
                return ClientWatch.NOT_WATCHED;
            }
            closedAlready = closed;
            if (!closed) {
                target = onClose;
                register = !interested;
                interested = true;
            }
        }
        if (closedAlready) {
            onClose.run();
            return () -> { };
        }
        if (register) {
            register();
        }
        return () -> stop(onClose);
    }

    private synchronized void stop(Runnable onClose) {
        // A later wait may have pointed this elsewhere already; its target stays.
        if (target == onClose) {
            target = null;
        }
    }

    private void register() {
        if (!endPoint.tryFillInterested(this)) {
            // The connection reads by itself (it was handed what became readable): it sees the close.
            synchronized (this) {
                interested = false;
            }
            LOG.debug("The connection is read already; its close is not watched");
        }
    }

    /** Whether this is registered with the selector, or about to be. */
    synchronized boolean interested() {
        return interested;
    }

    /** How many bytes were read off the connection and dropped. */
    synchronized long dropped() {
        return dropped;
    }

    /** The connection can be read: its end, or bytes a client sent behind its request. */
    @Override
    public void succeeded() {
        synchronized (this) {
            if (target == null) {
                // No wait watches: the bytes may be the next request, Jetty's to read; a later wait sees
                // them, or the end, when it registers again.
                interested = false;
                return;
            }
        }
        int filled;
        try {
            filled = endPoint.fill(BufferUtil.allocate(1));
        } catch (IOException e) {
            filled = -1;
        }
        Runnable run = null;
        boolean again;
        synchronized (this) {
            if (filled < 0) {
                closed = true;
                run = target;
                target = null;
                again = false;
            } else if (filled > 0) {
                dropped += filled;
                unwatchable = true;
                target = null;
                again = false;
            } else {
                // A wake-up with no data: still watched, unless the wait ended meanwhile.
                again = target != null;
            }
            interested = again;
        }
        if (filled > 0) {
            LOG.debug("A client sent bytes behind a request that waits; its connection is no longer watched"
                    + " and closes after the answer");
        }
        if (run != null) {
            run.run();
        } else if (filled < 0) {
            handOverEnd();
        }
        if (again) {
            register();
        }
    }

    /**
     * No wait watches: the connection itself learns of the end (Jetty reads it again as it would have,
     * had this interest not been registered), so that an answer being written learns its client left.
     */
    private void handOverEnd() {
        if (endPoint.getConnection() instanceof AbstractConnection connection) {
            connection.onFillable();
        }
    }

    @Override
    public void failed(Throwable failure) {
        Runnable run;
        synchronized (this) {
            closed = true;
            interested = false;
            run = target;
            target = null;
        }
        if (run != null) {
            run.run();
        }
    }
}
