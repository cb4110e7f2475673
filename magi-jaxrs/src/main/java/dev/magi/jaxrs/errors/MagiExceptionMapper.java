package dev.magi.jaxrs.errors;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every {@link MagiException}: its code gives the status and the {@code error} string. */
@Provider
public final class MagiExceptionMapper implements ExceptionMapper<MagiException> {
    /** A detail that also becomes the {@code Retry-After} header, in whole seconds. */
    public static final String RETRY_AFTER_SECONDS = "retryAfterSeconds";
    private static final Logger LOG = LoggerFactory.getLogger(MagiExceptionMapper.class);

    @Override
    public Response toResponse(MagiException e) {
        if (e.code() == ErrorCode.SERVICE_UNAVAILABLE) {
            // A refusal under load, not a fault: one line, no trace.
            LOG.warn("{}: {}", e.code().wireName(), e.getMessage());
        } else if (e.code().httpStatus() >= 500) {
            // A server-side failure the user cannot fix by changing the request: keep the trace in the log.
            LOG.error("{}: {}", e.code().wireName(), e.getMessage(), e);
        } else if (e.code() == ErrorCode.START_CANCELLED || e.code() == ErrorCode.REQUEST_TIMEOUT) {
            // A stop that was asked for, or a client too slow to send its body: expected, one line.
            LOG.info("{}: {}", e.code().wireName(), e.getMessage());
        } else if (e.code() != ErrorCode.UNAUTHORIZED) {
            LOG.warn("{}: {}", e.code().wireName(), e.getMessage());
        }
        Response response = ErrorBodies.response(e.code(), e.getMessage(), e.details());
        Object retryAfter = e.details().get(RETRY_AFTER_SECONDS);
        if (retryAfter instanceof Number seconds) {
            // A refusal that will pass (too many streams open) says when to try again, as HTTP does.
            return Response.fromResponse(response).header("Retry-After", seconds.longValue()).build();
        }
        return response;
    }
}
