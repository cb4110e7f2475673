package dev.magi.core.supervision;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where a model's server is in its life; the wire names are lower case. */
public enum ServerState {
    /** A process was asked for and is loading; not answering requests yet. */
    STARTING,
    /** {@code /health} answered 200. */
    READY,
    /** SIGTERM sent; waiting for the process and its descendants to go. */
    STOPPING,
    /** No process, by request (or never started). */
    STOPPED,
    /** No process: the start failed, or the server crashed too often; see {@code lastError}. */
    FAILED,
    /** Crashed while ready; waiting out the back-off or loading again. */
    RESTARTING,
    /**
     * Placed, but waiting for a place to run (a job in a queue); {@code lastError} says why. The
     * start's deadline has not begun.
     */
    PENDING;

    /** The name used in JSON and in the API. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return wireName();
    }
}
