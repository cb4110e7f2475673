package dev.magi.standalone;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Errors Jetty answers by itself, before or around Jersey (an ambiguous or malformed URI, a header
 * too large, a failure outside the API), in the API's error shape instead of Jetty's HTML page:
 * {@code {"error", "message", "details"}}, whatever the client accepts, never with a stack trace.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int code = response.getStatus();
        String message = (String) request.getAttribute(ERROR_MESSAGE);
        Throwable cause = (Throwable) request.getAttribute(ERROR_EXCEPTION);
        if (cause instanceof HttpException httpException) {
            code = httpException.getCode();
            response.setStatus(code);
            if (message == null) {
                message = httpException.getReason();
            }
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "must-revalidate,no-cache,no-store");
        if (HttpStatus.hasNoBody(code) || "HEAD".equals(request.getMethod())) {
            callback.succeeded();
            return true;
        }
        byte[] body = body(code, message, cause);
        response.getHeaders().put(MimeTypes.Type.APPLICATION_JSON_UTF_8.getContentTypeField());
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private static byte[] body(int code, String message, Throwable cause) {
        // No path: for a request Jetty could not parse, it has none worth repeating.
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", code);
        String text;
        if (code == 503) {
            // Jetty's answer while stopping: expected, nothing to log.
            text = "The service is not available";
        } else if (code >= 500) {
            // The cause may name internals: log it beside an id and answer only the id.
            String errorId = UUID.randomUUID().toString().substring(0, 8);
            LOG.error("Unexpected error, errorId={}", errorId, cause);
            details.put("errorId", errorId);
            text = "An unexpected error occurred; quote error id " + errorId + " when reporting it";
        } else {
            text = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("error", errorName(code));
        error.put("message", text);
        error.put("details", details);
        try {
            return JSON.writeValueAsBytes(error);
        } catch (JsonProcessingException e) {
            return ("{\"error\":\"InternalError\",\"message\":\"\",\"details\":{}}").getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String errorName(int code) {
        return switch (code) {
            case 401 -> "Unauthorized";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 413 -> "PayloadTooLarge";
            case 503 -> "ServiceUnavailable";
            default -> code >= 500 ? "InternalError" : "InvalidRequest";
        };
    }
}
