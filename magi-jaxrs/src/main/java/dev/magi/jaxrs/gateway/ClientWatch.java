package dev.magi.jaxrs.gateway;

import jakarta.servlet.http.HttpServletRequest;

/**
 * How the host's container tells that the client of a request waiting for a slot, for the draft of a
 * two-stage answer, or for an answer not begun yet (a non-streamed answer being generated), closed its
 * connection. The servlet API has no such event: a container reads a connection only when asked to, and
 * once a request's body is read nothing asks, so a close is noticed only at the next write, which for a
 * waiting request is after its wait. A host whose container can watch a connection supplies this;
 * without one, a waiting request whose client left is taken out of the queue only when its wait ends,
 * and a generation goes on until its answer is written.
 */
public interface ClientWatch {
    /**
     * What {@link #watch} returns when it does not watch the connection (it cannot, or must not read it
     * now): the connection is then kept alive after its answer as any other.
     */
    Runnable NOT_WATCHED = () -> { };

    /** Watches nothing. */
    ClientWatch NONE = (request, closed) -> NOT_WATCHED;

    /**
     * Starts watching the connection of {@code request}. One request may be watched several times, one
     * wait after the other (a two-stage answer waits for a slot, for its draft, then for another slot).
     *
     * @param closed runs once if the client closed the connection while watched
     * @return stops the watch; called once the wait ends (or the answer begins), however it ends;
     *         {@link #NOT_WATCHED} when the connection is not watched
     */
    Runnable watch(HttpServletRequest request, Runnable closed);
}
