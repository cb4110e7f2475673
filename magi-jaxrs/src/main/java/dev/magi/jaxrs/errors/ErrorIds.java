package dev.magi.jaxrs.errors;

import org.slf4j.Logger;

import java.util.UUID;

/**
 * Error ids for failures nobody expected: the id goes to the client and into the log beside the
 * stack trace, so a user's report can be matched to the log without exposing internals.
 */
public final class ErrorIds {

    private ErrorIds() {
    }

    /** A new error id, logged to {@code log} with the stack trace of {@code cause}. */
    public static String logged(Logger log, Throwable cause) {
        String errorId = UUID.randomUUID().toString().substring(0, 8);
        log.error("Unexpected error, errorId={}", errorId, cause);
        return errorId;
    }

    /** What the client is told instead of the cause. */
    public static String message(String errorId) {
        return "An unexpected error occurred; quote error id " + errorId + " when reporting it";
    }
}
