package dev.magi.standalone;

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

    /** The connection can be read: its end, or bytes a client sent behind a request that waits. */
    @Override
    public void succeeded() {
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
                interested = false;
                run = target;
                target = null;
                again = false;
            } else {
                if (filled > 0) {
                    LOG.debug("A client sent more bytes behind a request that waits; they are dropped");
                }
                // Nothing read (a wake-up with no data), or dropped bytes while a wait still watches.
                again = filled == 0 || target != null;
                interested = again;
            }
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
