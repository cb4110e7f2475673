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
 * The one exception is a request read the container timed out wherever it was read (see
 * {@link ReadTimeouts}): 408 {@code RequestTimeout} and one log line, since the client was too slow.
 */
@Provider
public final class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(Throwable e) {
        if (ReadTimeouts.isReadTimeout(e)) {
            LOG.info("{}: the request could not be read in time ({})", ErrorCode.REQUEST_TIMEOUT.wireName(), e.toString());
            return ErrorBodies.response(ErrorCode.REQUEST_TIMEOUT,
                    "The request did not arrive in time: the client stopped sending", Map.of());
        }
        String errorId = ErrorIds.logged(LOG, e);
        return ErrorBodies.response(ErrorCode.INTERNAL_ERROR, ErrorIds.message(errorId), Map.of("errorId", errorId));
    }
}
