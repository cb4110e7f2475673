package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;

import java.time.Duration;

/**
 * When a request body must have arrived: {@code timeout} (the request body timeout) after the gateway
 * began to read it. Without it, a client sending a byte just under every idle timeout would hold its
 * connection, and a request, for days.
 *
 * @param endNanos the deadline, in {@link System#nanoTime}'s terms
 */
record BodyDeadline(GatewayTimers timers, Duration timeout, long endNanos) {

    /**
     * Runs {@code expire} at the deadline, on the timers' thread.
     *
     * @return cancels it; to be run once the body is done, however it ends
     */
    Runnable schedule(Runnable expire) {
        return timers.at(endNanos, expire);
    }

    /** The timeout in seconds, as the client and the log are told it. */
    String seconds() {
        return String.valueOf(timeout.toMillis() / 1000.0);
    }

    /**
     * The answer to a body that did not arrive by its deadline: {@code invalid_json}, as any body that
     * could not be read whole (a 400, not a 408: see docs/gateway.md, errors), in the words the
     * standalone uses for a stalled body it gathers itself.
     */
    GatewayException tooSlow() {
        return new GatewayException(GatewayError.INVALID_JSON, "The request body did not arrive in time: the client"
                + " took longer than " + seconds() + " s to send it", null, null);
    }
}
