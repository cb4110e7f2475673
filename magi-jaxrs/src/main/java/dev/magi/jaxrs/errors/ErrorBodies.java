package dev.magi.jaxrs.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.json.RegistryJson;
import dev.magi.spi.ErrorCode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes an {@link ErrorBody}: as a JAX-RS response for the mappers and filters, or as bytes for the
 * handlers that answer outside Jersey (the container's error handler, the servlet of a MAGI that
 * could not start), so every error of the API looks the same.
 */
public final class ErrorBodies {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorBodies.class);

    /** The API's own forms of MAGI's types, so a detail reads the same here as through Jersey. */
    private static final ObjectMapper JSON = RegistryJson.newMapper();

    private ErrorBodies() {
    }

    /** The error with the status its code fixes. */
    public static Response response(ErrorCode code, String message, Map<String, ?> details) {
        return response(code.httpStatus(), new ErrorBody(code, message, details));
    }

    /** The error with the given status, for a status that has no code of its own. */
    public static Response response(int status, ErrorBody body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }

    /**
     * The body as JSON bytes. Never fails: a body Jackson cannot write becomes a bare
     * {@link ErrorCode#INTERNAL_ERROR}, since whoever asks is already answering an error.
     */
    public static byte[] bytes(ErrorBody body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            LOG.error("Cannot write the error body {} as JSON; answering a bare InternalError", body, e);
            return ("{\"error\":\"" + ErrorCode.INTERNAL_ERROR.wireName() + "\",\"message\":\"\",\"details\":{}}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }
}
