package dev.magi.jaxrs.errors;

import dev.magi.spi.ErrorCode;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Anything no other mapper knows: 500 {@code InternalError} with an error id that is also logged
 * beside the stack trace, so a user's report can be matched to the log without exposing internals.
 */
@Provider
public final class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(Throwable e) {
        String errorId = ErrorIds.logged(LOG, e);
        return ErrorBodies.response(ErrorCode.INTERNAL_ERROR, ErrorIds.message(errorId), Map.of("errorId", errorId));
    }
}
