package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every {@link GatewayException}: its error gives the status, the type and the code. */
@Provider
public final class GatewayExceptionMapper implements ExceptionMapper<GatewayException> {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayExceptionMapper.class);

    @Override
    public Response toResponse(GatewayException e) {
        if (e.error().httpStatus() >= 500) {
            LOG.warn("{}: {}", e.error().code(), e.getMessage());
        } else {
            LOG.debug("{}: {}", e.error().code(), e.getMessage());
        }
        return OpenAiErrors.response(e);
    }
}
