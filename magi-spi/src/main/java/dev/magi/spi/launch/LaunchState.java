package dev.magi.spi.launch;

import java.net.URI;
import java.util.Objects;

/**
 * Where a launch is: waiting for a place, running at an endpoint, or ended. A launch goes from
 * {@link Pending} to {@link Running} to {@link Ended}, skipping any but the last; it never goes back.
 */
public sealed interface LaunchState {

    /**
     * Placed but not running yet: a job waiting in a queue, a pod being scheduled. MAGI's start
     * deadline does not run while a launch is pending.
     *
     * @param reason why it waits, as the scheduler says ({@code Resources}, {@code Priority}...), or null
     */
    record Pending(String reason) implements LaunchState {
    }

    /**
     * The server's process runs. It may still be loading: ready is what {@code GET /health} on the
     * endpoint says, and MAGI asks.
     *
     * @param endpoint the server's base URL, reachable from MAGI ({@code http://127.0.0.1:8080})
     */
    record Running(URI endpoint) implements LaunchState {
        public Running {
            Objects.requireNonNull(endpoint, "endpoint");
            if (endpoint.getHost() == null || endpoint.getPort() < 0) {
                throw new IllegalArgumentException("an endpoint needs a host and a port: " + endpoint);
            }
        }
    }

    /**
     * The server is gone, and every line it wrote has reached the listener.
     *
     * @param exitCode its exit code when known, else null
     * @param reason   what ended it in a few words when the launcher knows more than the exit code
     *                 ({@code SIGKILL after it ignored SIGTERM}, {@code TIMEOUT}, {@code NODE_FAIL}), or null
     * @param cause    who or what ended it
     */
    record Ended(Integer exitCode, String reason, Cause cause) implements LaunchState {
        public Ended {
            Objects.requireNonNull(cause, "cause");
        }
    }

    /** Who or what ended a launch. */
    enum Cause {
        /** It ended on its own, or something other than MAGI ended it: a failure or a crash to MAGI. */
        EXITED,
        /** {@link Launch#stop} ended it. */
        STOPPED,
        /**
         * The server could not bind the port it was given: another program took it first. The launcher
         * has moved the model to another port where its rules allow ({@link PortAssignment#moveOff}), so
         * a new start may succeed at once.
         */
        PORT_TAKEN
    }
}
