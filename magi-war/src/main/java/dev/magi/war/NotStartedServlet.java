package dev.magi.war;

import dev.magi.jaxrs.errors.ErrorBodies;
import dev.magi.jaxrs.errors.ErrorBody;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves the context when MAGI could not start (a bad setting, a store that cannot be opened): every
 * request gets 503 {@code ServiceUnavailable} with the reason, in the API's error body, so whoever
 * opens the page or calls the API learns what to fix without reading the container's log. The WAR
 * is redeployed once the setting is fixed.
 */
final class NotStartedServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final byte[] body;

    NotStartedServlet(MagiException why) {
        Map<String, Object> details = new LinkedHashMap<>(why.details());
        details.put("cause", why.code().wireName());
        this.body = ErrorBodies.bytes(new ErrorBody(ErrorCode.SERVICE_UNAVAILABLE,
                "MAGI cannot start: " + why.getMessage(), details));
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(ErrorCode.SERVICE_UNAVAILABLE.httpStatus());
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
