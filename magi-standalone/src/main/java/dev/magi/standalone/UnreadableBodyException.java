package dev.magi.standalone;

import org.eclipse.jetty.io.QuietException;

/**
 * A request body that could not be read whole: broken chunks, a client gone part-way, or one too slow.
 * It travels as the cause of the error answer, so that the error handler can answer it in the shape of
 * the request's path: a 400 or 408 under the API, the gateway's {@code invalid_json} under its paths.
 * Quiet: Jetty would log an error's cause as a warning, and a client's broken body is no fault of MAGI's
 * (the body handler logs it in one line).
 */
final class UnreadableBodyException extends RuntimeException implements QuietException {
    private static final long serialVersionUID = 1L;

    UnreadableBodyException(String message) {
        // Expected of clients, never logged with a stack: none is worth its cost.
        super(message, null, false, false);
    }
}
