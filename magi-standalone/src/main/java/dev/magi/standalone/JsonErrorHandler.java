package dev.magi.standalone;

import dev.magi.jaxrs.errors.ErrorBodies;
import dev.magi.jaxrs.errors.ErrorBody;
import dev.magi.jaxrs.errors.ErrorIds;
import dev.magi.jaxrs.gateway.GatewayPaths;
import dev.magi.spi.ErrorCode;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.io.EofException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Errors Jetty answers by itself, before or around Jersey (an ambiguous or malformed URI, a header
 * too large, a failure outside the API), in the API's error shape instead of Jetty's HTML page:
 * {@code {"error", "message", "details"}}, whatever the client accepts, never with a stack trace. On the
 * gateway's paths ({@code /v1}, {@code /upstream}, llama-server's endpoints) they are in OpenAI's shape
 * instead, as the gateway's own answers there are (see {@link OpenAiErrorShape}): the clients of those
 * paths are OpenAI's libraries, which read nothing of the API's shape.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(JsonErrorHandler.class);

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
        boolean gateway = onGatewayPath(request);
        if (gateway) {
            code = OpenAiErrorShape.status(code, cause);
            response.setStatus(code);
        }
        if (HttpStatus.hasNoBody(code) || "HEAD".equals(request.getMethod())) {
            callback.succeeded();
            return true;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        String text = text(code, message, cause, details);
        byte[] body = gateway ? OpenAiErrorShape.body(code, text, cause)
                : ErrorBodies.bytes(new ErrorBody(ErrorCode.forHttpStatus(code), text, details));
        response.getHeaders().put(MimeTypes.Type.APPLICATION_JSON_UTF_8.getContentTypeField());
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    /**
     * Whether the request is for one of the gateway's paths, whose errors are OpenAI's shape. Decided on
     * the path as the client sent it: a request Jetty refused may have no decoded path to go by.
     */
    private static boolean onGatewayPath(Request request) {
        String path = request.getHttpURI() == null ? null : request.getHttpURI().getPath();
        if (path == null) {
            return false;
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            int parameters = segment.indexOf(';');
            String name = parameters < 0 ? segment : segment.substring(0, parameters);
            if (!name.isEmpty() || !segments.isEmpty()) {
                segments.add(name);
            }
        }
        return GatewayPaths.isGateway(segments);
    }

    /** What the client is told, free of internals; an unexpected failure's id goes into {@code details}. */
    private static String text(int code, String message, Throwable cause, Map<String, Object> details) {
        // No path: for a request Jetty could not parse, it has none worth repeating.
        details.put("status", code);
        if (code == 503) {
            // Jetty's answer while stopping, or MAGI's own to a client it cannot take now: expected, nothing to log.
            return message == null || message.isBlank() ? "The service is not available" : message;
        }
        if (cause instanceof EofException) {
            // The client closed its connection (or MAGI is stopping) while its request was unfinished: no
            // fault of MAGI's, and nobody is left to read an answer. One line, no stack trace.
            LOG.info("A connection closed before its request was finished ({})", cause.getClass().getSimpleName());
            return "The connection closed before the request was finished";
        }
        if (code >= 500) {
            // The cause may name internals: log it beside an id and answer only the id.
            String errorId = ErrorIds.logged(LOG, cause);
            details.put("errorId", errorId);
            return ErrorIds.message(errorId);
        }
        return message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
    }
}
