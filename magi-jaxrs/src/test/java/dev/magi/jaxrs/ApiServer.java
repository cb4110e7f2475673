package dev.magi.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.gateway.GatewayServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** The API served over real HTTP by Jetty on a free port, and a small client for tests. */
public final class ApiServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Server server;
    private final ServerConnector connector;
    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public ApiServer(MagiEngine engine) throws Exception {
        this(engine, config -> {
        });
    }

    /**
     * The API plus whatever {@code extra} adds to the same Jersey application (a test-only resource,
     * for instance), as a host application would.
     */
    public ApiServer(MagiEngine engine, Consumer<ResourceConfig> extra) throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ResourceConfig application = MagiJaxrs.application(engine);
        extra.accept(application);
        // Server-sent event streams (logs, events) are asynchronous servlet requests.
        ServletHolder jersey = new ServletHolder(new ServletContainer(application));
        jersey.setAsyncSupported(true);
        context.addServlet(jersey, "/*");
        if (engine.config().gateway()) {
            ServletHolder gateway = new ServletHolder(MagiJaxrs.gatewayServlet(engine));
            gateway.setAsyncSupported(true);
            GatewayServlet.PATHS.forEach(path -> context.addServlet(gateway, path));
        }
        server.setHandler(context);
        // Jetty refuses some URIs (an encoded '/', '%2e%2e', an empty segment) before Jersey sees them,
        // with its own HTML page; a host installs a JSON error handler, as the standalone does.
        server.setErrorHandler(new JsonErrorHandler());
        context.setErrorHandler(new JsonErrorHandler());
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    /**
     * Closes connections silent this long, also part-way through a request, from the next connection
     * on: a container's read timeout, as the WAR's host would set it.
     */
    public ApiServer idleTimeout(Duration timeout) {
        connector.setIdleTimeout(timeout.toMillis());
        return this;
    }

    /** The path as given, not normalised, so that tests can send {@code ..} and encoded characters. */
    public URI uri(String path) {
        return URI.create(base + path);
    }

    /** A response: status, headers and the body parsed as JSON (null when empty). */
    public record Reply(int status, HttpResponse<String> raw) {
        public JsonNode json() {
            try {
                return raw.body().isEmpty() ? null : JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + raw.body(), e);
            }
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    public Reply send(String method, String path, String jsonBody, String... headers) throws Exception {
        if (jsonBody == null) {
            return send(method, path, HttpRequest.BodyPublishers.noBody(), headers);
        }
        String[] withType = new String[headers.length + 2];
        withType[0] = "Content-Type";
        withType[1] = "application/json";
        System.arraycopy(headers, 0, withType, 2, headers.length);
        return send(method, path, HttpRequest.BodyPublishers.ofString(jsonBody), withType);
    }

    /** Any body: {@code ofInputStream} sends it chunked, {@code ofByteArray} with a Content-Length. */
    public Reply send(String method, String path, HttpRequest.BodyPublisher body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response);
    }

    public Reply get(String path, String... headers) throws Exception {
        return send("GET", path, (String) null, headers);
    }

    public Reply put(String path, String json) throws Exception {
        return send("PUT", path, json);
    }

    public Reply post(String path, String json) throws Exception {
        return send("POST", path, json);
    }

    public Reply delete(String path) throws Exception {
        return send("DELETE", path, (String) null);
    }

    public HttpClient client() {
        return client;
    }

    /** Jetty's own errors in the API's error shape. */
    static final class JsonErrorHandler extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            Object status = request.getAttribute(ERROR_STATUS);
            int code = status instanceof Integer number ? number : response.getStatus();
            Object message = request.getAttribute(ERROR_MESSAGE);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, ByteBuffer.wrap(body(code, message == null ? null : message.toString())), callback);
            return true;
        }

        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            return ByteBuffer.wrap(body(status, reason));
        }

        private static byte[] body(int status, String reason) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", switch (status) {
                case 404 -> "NotFound";
                case 405 -> "MethodNotAllowed";
                case 413 -> "PayloadTooLarge";
                default -> status >= 500 ? "InternalError" : "InvalidRequest";
            });
            body.put("message", reason == null || reason.isBlank() ? "The request cannot be handled" : reason);
            body.put("details", Map.of("status", status));
            try {
                return JSON.writeValueAsBytes(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
