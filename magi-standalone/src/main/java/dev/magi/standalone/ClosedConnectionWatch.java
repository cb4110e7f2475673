package dev.magi.standalone;

import dev.magi.jaxrs.gateway.ClientWatch;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.server.ConnectionMetaData;

import java.io.IOException;

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
 * <p>Only a connection whose request's body was read to its end is watched: bytes that are still to come
 * of a body (an {@code /upstream} body streamed to the server once the request is admitted) are not an end
 * to watch for, and reading them here would take them from the body.
 *
 * <p>Since the interest may stay registered, a connection whose request waited is not kept alive after
 * its answer: the gateway's answer says {@code Connection: close}, and Jetty, were it to read the next
 * request, would find this interest still registered and close the connection. Only requests that waited
 * pay that (one new connection), not those served at once: the gateway watches an answer being generated
 * only once it has not begun within a grace of seconds, so streams and quick answers keep their connection.
 */
final class ClosedConnectionWatch implements ClientWatch {
    /** The connection's attribute that holds its watcher. */
    private static final String WATCHER = ConnectionWatcher.class.getName();
    private static final Object LOCK = new Object();

    @Override
    public Runnable watch(HttpServletRequest request, Runnable closed) {
        ServletContextRequest jettyRequest = ServletContextRequest.getServletContextRequest(request);
        if (jettyRequest == null || !bodyReadToItsEnd(request, jettyRequest)) {
            return NOT_WATCHED;
        }
        return watcherOf(jettyRequest.getConnectionMetaData()).watch(closed);
    }

    /** Whether none of the request's body is left on the connection, where the watch would read it. */
    private static boolean bodyReadToItsEnd(HttpServletRequest request, ServletContextRequest jettyRequest) {
        if (request.getContentLengthLong() <= 0 && request.getHeader("Transfer-Encoding") == null) {
            return true;
        }
        if (RequestBodyHandler.gatheredToItsEnd(jettyRequest)) {
            // Read whole before the API saw it, though the API may not have taken it yet.
            return true;
        }
        try {
            // A body larger than is gathered, read by the API itself: watched once it read the body's end.
            return request.getInputStream().isFinished();
        } catch (IOException | IllegalStateException e) {
            // Read as characters (no stream to ask), or no longer readable: not known to be at its end.
            return false;
        }
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
