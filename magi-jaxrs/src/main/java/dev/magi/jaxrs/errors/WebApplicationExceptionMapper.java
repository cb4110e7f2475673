package dev.magi.jaxrs.errors;

import dev.magi.spi.ErrorCode;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Jersey's own failures (unknown path, wrong method, unsupported media type...) in the API's error
 * shape instead of the container's HTML page.
 */
@Provider
public final class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
    @Context
    private UriInfo uriInfo;
    @Context
    private Request request;

    @Override
    public Response toResponse(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String path = "/" + uriInfo.getPath();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("path", path);
        ErrorCode error = ErrorCode.forHttpStatus(status);
        String message;
        switch (status) {
            case 404 -> {
                message = "No resource at " + path;
            }
            case 405 -> {
                message = "Method " + request.getMethod() + " is not allowed on " + path;
                details.put("method", request.getMethod());
                if (e instanceof NotAllowedException) {
                    details.put("allowed", e.getResponse().getAllowedMethods());
                }
            }
            case 406 -> {
                message = "The API answers only application/json";
            }
            case 413 -> {
                message = "The request body is larger than 1 MiB";
            }
            case 415 -> {
                message = "Send the request body as application/json";
            }
            case 401 -> {
                message = "A valid API key is required";
            }
            default -> {
                message = status >= 500 ? "The server could not handle the request" : "The request is not valid";
            }
        }
        Response.ResponseBuilder response = Response.fromResponse(
                ErrorBodies.response(status, new ErrorBody(error, message, details)));
        if (status == 405) {
            response.allow(e.getResponse().getAllowedMethods());
        }
        return response.build();
    }
}
