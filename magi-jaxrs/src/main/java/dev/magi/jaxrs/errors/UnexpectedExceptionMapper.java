package dev.magi.jaxrs.errors;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;

/**
 * Anything no other mapper knows: 500 {@code InternalError} with an error id that is also logged
 * beside the stack trace, so a user's report can be matched to the log without exposing internals.
 */
@Provider
public final class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(Throwable e) {
        String errorId = UUID.randomUUID().toString().substring(0, 8);
        LOG.error("Unexpected error, errorId={}", errorId, e);
        return ErrorBodies.response(500, "InternalError",
                "An unexpected error occurred; quote error id " + errorId + " when reporting it",
                Map.of("errorId", errorId));
    }
}
