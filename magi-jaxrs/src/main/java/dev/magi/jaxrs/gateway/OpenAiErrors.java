package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Errors in OpenAI's shape, {@code {"error": {"message", "type", "param", "code"}}}, as OpenAI's
 * client libraries and the tools built on them read them.
 */
public final class OpenAiErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OpenAiErrors() {
    }

    /** The answer to a refused request, with {@code Retry-After} when waiting helps. */
    public static Response response(GatewayException e) {
        Response.ResponseBuilder response = Response.status(e.error().httpStatus())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(bytes(e.getMessage(), e.error().type().wireName(), e.param(), e.error().code()));
        if (e.retryAfterSeconds() != null) {
            response.header("Retry-After", e.retryAfterSeconds());
        }
        if (e.error() == GatewayError.INVALID_API_KEY) {
            response.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"magi\"");
        }
        return response.build();
    }

    /** An error without a gateway code of its own (a refused origin, an unknown path). */
    public static Response response(int status, String type, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(bytes(message, type, null, code)).build();
    }

    /** The body as JSON bytes. */
    public static byte[] bytes(String message, String type, String param, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        try {
            return JSON.writeValueAsBytes(Map.of("error", error));
        } catch (JsonProcessingException e) {
            return ("{\"error\":{\"message\":\"\",\"type\":\"server_error\",\"param\":null,\"code\":null}}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** An error sent after a stream began: its last server-sent event. */
    public static byte[] lastEvent(String message, String code) {
        byte[] body = bytes(message, GatewayError.UPSTREAM_UNAVAILABLE.type().wireName(), null, code);
        return ("data: " + new String(body, StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
