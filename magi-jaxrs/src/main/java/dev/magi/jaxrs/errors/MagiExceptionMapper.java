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
    private static final Logger LOG = LoggerFactory.getLogger(MagiExceptionMapper.class);

    @Override
    public Response toResponse(MagiException e) {
        if (e.code().httpStatus() >= 500) {
            // A server-side failure the user cannot fix by changing the request: keep the trace in the log.
            LOG.error("{}: {}", e.code().wireName(), e.getMessage(), e);
        } else if (e.code() == ErrorCode.START_CANCELLED || e.code() == ErrorCode.REQUEST_TIMEOUT) {
            // A stop that was asked for, or a client too slow to send its body: expected, one line.
            LOG.info("{}: {}", e.code().wireName(), e.getMessage());
        } else if (e.code() != ErrorCode.UNAUTHORIZED) {
            LOG.warn("{}: {}", e.code().wireName(), e.getMessage());
        }
        return ErrorBodies.response(e.code(), e.getMessage(), e.details());
    }
}
