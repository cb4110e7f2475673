package dev.magi.jaxrs.errors;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.LinkedHashMap;
import java.util.Map;

/** The one error body of the API: {@code {error, message, details}}, never a stack trace. */
public final class ErrorBodies {

    private ErrorBodies() {
    }

    public static Response response(int status, String error, String message, Map<String, ?> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        body.put("details", details == null ? Map.of() : details);
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
    }
}
