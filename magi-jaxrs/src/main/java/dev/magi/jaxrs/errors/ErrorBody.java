package dev.magi.jaxrs.errors;

import dev.magi.spi.ErrorCode;

import java.util.Map;

/**
 * The API's one error body, {@code {"error", "message", "details"}} in that order, whoever answers:
 * a JAX-RS mapper, the web container's error handler or the servlet of a MAGI that could not start.
 *
 * @param error the {@link ErrorCode#wireName() wire name} of the error
 * @param message what went wrong, for a person; never a stack trace
 * @param details what went wrong, for a program; an empty object when there is nothing to add
 */
public record ErrorBody(String error, String message, Map<String, ?> details) {

    public ErrorBody {
        details = details == null ? Map.of() : details;
    }

    public ErrorBody(ErrorCode code, String message, Map<String, ?> details) {
        this(code.wireName(), message, details);
    }
}
