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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tells the gateway of a client that closed its connection while its request waits for a slot, which
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

    @Override
    public Runnable watch(HttpServletRequest request, Runnable closed) {
        ServletContextRequest jettyRequest = ServletContextRequest.getServletContextRequest(request);
        if (jettyRequest == null) {
            return () -> { };
        }
        EndPoint endPoint = jettyRequest.getConnectionMetaData().getConnection().getEndPoint();
        AtomicBoolean watching = new AtomicBoolean(true);
        endPoint.tryFillInterested(new Readable(endPoint, watching, closed));
        return () -> watching.set(false);
    }

    /** What the selector calls once the connection can be read: its end, or more bytes. */
    private static final class Readable implements Callback {
        private final EndPoint endPoint;
        private final AtomicBoolean watching;
        private final Runnable closed;

        Readable(EndPoint endPoint, AtomicBoolean watching, Runnable closed) {
            this.endPoint = endPoint;
            this.watching = watching;
            this.closed = closed;
        }

        @Override
        public void succeeded() {
            if (!watching.get()) {
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
                    closed.run();
                } else if (filled == 0) {
                    endPoint.tryFillInterested(this);
                } else {
                    LOG.debug("A client sent more bytes behind a request that waits; they are dropped");
                }
            } catch (IOException e) {
                closed.run();
            }
        }

        @Override
        public void failed(Throwable failure) {
            if (watching.get()) {
                closed.run();
            }
        }
    }
}
