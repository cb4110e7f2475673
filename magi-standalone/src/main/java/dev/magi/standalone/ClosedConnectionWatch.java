package dev.magi.standalone;

import dev.magi.jaxrs.gateway.ClientWatch;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.ConnectionMetaData;

/**
 * Tells the gateway of a client that closed its connection while its request waits for a slot (or for
 * a non-streamed answer to be generated), which Jetty does not notice by itself: once a request's body
 * is read, Jetty reads its connection again only after the answer. While the request waits, this asks Jetty's selector to say when the connection
 * becomes readable; for a client waiting for its answer that is its close (a client must not send more
 * requests behind a {@code POST} before its answer, RFC 9112, 9.3.2), seen as the end of the stream.
 *
 * <p>A request may wait more than once (its one retry; the draft and the second stage of a two-stage
 * answer), but the selector's interest cannot be withdrawn once a wait ends, nor asked for twice: so each
 * connection has one {@link ConnectionWatcher}, kept with the connection, which each wait points at its
 * own {@code closed}.
 *
 * <p>Since the interest stays registered, a connection whose request waited is not kept alive after its
 * answer: Jetty, asking to read the next request, finds this interest still registered and closes the
 * connection. Only requests that waited pay that (one new connection), not those served at once: the
 * gateway watches an answer being generated only once it has not begun within a grace of seconds, so
 * streams and quick answers keep their connection.
 */
final class ClosedConnectionWatch implements ClientWatch {
    /** The connection's attribute that holds its watcher. */
    private static final String WATCHER = ConnectionWatcher.class.getName();
    private static final Object LOCK = new Object();

    @Override
    public Runnable watch(HttpServletRequest request, Runnable closed) {
        ServletContextRequest jettyRequest = ServletContextRequest.getServletContextRequest(request);
        if (jettyRequest == null) {
            return () -> { };
        }
        return watcherOf(jettyRequest.getConnectionMetaData()).watch(closed);
    }

    private static ConnectionWatcher watcherOf(ConnectionMetaData connection) {
        // A connection's waits follow one another (one request at a time, each wait after the one before
        // ended), so this lock is hardly ever contended; it makes sure a connection never gets two watchers.
        synchronized (LOCK) {
            if (connection.getAttribute(WATCHER) instanceof ConnectionWatcher watcher) {
                return watcher;
            }
            ConnectionWatcher watcher = new ConnectionWatcher(connection.getConnection().getEndPoint());
            connection.setAttribute(WATCHER, watcher);
            return watcher;
        }
    }
}
