package dev.magi.standalone;

import dev.magi.jaxrs.gateway.ClientWatch;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Tells the gateway of a client that closed its connection while its request waits (for a slot, a draft), which
 * Jetty does not notice by itself: once a request's body is read, Jetty reads its connection again only
 * after the answer. While the request waits, this asks Jetty's selector to say when the connection
 * becomes readable; for a client waiting for its answer that is its close (a client must not send more
 * requests behind a {@code POST} before its answer, RFC 9112, 9.3.2), seen as the end of the stream.
 *
 * <p>The interest cannot be withdrawn once the wait ends, so a connection whose request waited is not
 * kept alive after its answer: Jetty, asking to read the next request, finds this interest still
 * registered and closes the connection. Only requests that waited pay that (one new connection), not
 * those served at once.
 */
final class ClosedConnectionWatch implements ClientWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ClosedConnectionWatch.class);
    /** Where a request keeps its connection's watch, for the next wait of the same request. */
    private static final String WATCH = ClosedConnectionWatch.class.getName();

    @Override
    public Runnable watch(HttpServletRequest request, Runnable closed) {
        ServletContextRequest jettyRequest = ServletContextRequest.getServletContextRequest(request);
        if (jettyRequest == null) {
            return () -> { };
        }
        // A request may wait more than once (a two-stage answer: a slot, its draft, another slot). The
        // selector takes one interest per connection, and the first is still registered: it is armed again.
        if (request.getAttribute(WATCH) instanceof Readable registered) {
            Runnable stop = registered.arm(closed);
            if (stop != null) {
                return stop;
            }
        }
        EndPoint endPoint = jettyRequest.getConnectionMetaData().getConnection().getEndPoint();
        Readable readable = new Readable(endPoint);
        Runnable stop = readable.arm(closed);
        request.setAttribute(WATCH, readable);
        endPoint.tryFillInterested(readable);
        return stop;
    }

    /**
     * What the selector calls once the connection can be read: its end, or more bytes. Armed, it tells
     * of a close; disarmed (the wait ended), what is readable is the connection's to read.
     */
    private static final class Readable implements Callback {
        private final EndPoint endPoint;
        /** Whom to tell of a close; null while disarmed. */
        private Runnable closed;
        /** Which arming is current, so that the stop of an earlier wait does not disarm a later one. */
        private long arming;
        /** The selector called for the last time: no interest is registered any more. */
        private boolean spent;

        Readable(EndPoint endPoint) {
            this.endPoint = endPoint;
        }

        /** Arms the watch for one wait; null when it is spent and a new one must be registered. */
        synchronized Runnable arm(Runnable onClose) {
            if (spent) {
                return null;
            }
            closed = onClose;
            long mine = ++arming;
            return () -> disarm(mine);
        }

        private synchronized void disarm(long which) {
            if (arming == which) {
                closed = null;
            }
        }

        @Override
        public void succeeded() {
            Runnable onClose;
            synchronized (this) {
                onClose = closed;
                spent = onClose == null;
            }
            if (onClose == null) {
                // The wait ended: what is readable now (the next request) is the connection's to read.
                if (endPoint.getConnection() instanceof AbstractConnection connection) {
                    connection.onFillable();
                }
                return;
            }
            ByteBuffer probe = BufferUtil.allocate(1);
            try {
                int filled = endPoint.fill(probe);
                if (filled < 0) {
                    spend();
                    onClose.run();
                } else if (filled == 0) {
                    endPoint.tryFillInterested(this);
                } else {
                    spend();
                    LOG.debug("A client sent more bytes behind a request that waits; they are dropped");
                }
            } catch (IOException e) {
                spend();
                onClose.run();
            }
        }

        private synchronized void spend() {
            spent = true;
        }

        @Override
        public void failed(Throwable failure) {
            Runnable onClose;
            synchronized (this) {
                spent = true;
                onClose = closed;
            }
            if (onClose != null) {
                onClose.run();
            }
        }
    }
}
