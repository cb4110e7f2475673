package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.Lease;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ChunkedOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Passes a request to the leased server and its answer back, unchanged and unbuffered: each chunk is
 * written and flushed to the client as it arrives, so a server-sent event stream reaches the client
 * token by token. A client that stops reading closes the upstream request, so llama-server stops
 * generating; the lease is closed when the answer ends, however it ends.
 */
final class Upstream {
    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    /** Hop-by-hop headers (RFC 9110, 7.6.1) and those the container sets itself. */
    private static final Set<String> NOT_PASSED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "content-length", "date", "server", "cache-control", ":status");
    /** What a request passed through {@code /upstream} loses: hop-by-hop, set by the client library, or MAGI's. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "content-length", "host", "expect", "authorization", "x-api-key");
    private static final Set<String> REQUEST_HEADERS = Set.of("Content-Type", "Accept");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * Sends the request; the future gives the answer to write, or fails when the server could not be
     * reached (the lease is then closed).
     */
    CompletableFuture<Answer> forward(Lease lease, String path, byte[] body, Map<String, String> headers) {
        return forward(lease, path, body, headers, response -> { });
    }

    /** As {@link #forward(Lease, String, byte[], Map)}, with headers of the caller's added to the answer. */
    CompletableFuture<Answer> forward(Lease lease, String path, byte[] body, Map<String, String> headers,
                                      Consumer<Response.ResponseBuilder> decorate) {
        return forward(lease, path, body, headers, decorate, null);
    }

    /**
     * As {@link #forward(Lease, String, byte[], Map, Consumer)}, timing the answer and reading its
     * tokens with {@code clock} (null: not observed) as it passes.
     */
    CompletableFuture<Answer> forward(Lease lease, String path, byte[] body, Map<String, String> headers,
                                      Consumer<Response.ResponseBuilder> decorate, RequestClock clock) {
        return client.sendAsync(request(lease, path, body, headers), HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(response -> answer(lease, response, decorate, clock))
                .whenComplete((response, failure) -> {
                    if (failure != null) {
                        lease.close();
                    }
                });
    }

    /**
     * Sends the request and reads its whole answer, up to {@code maxBytes}; the lease is closed once
     * the answer is read, or the request failed.
     */
    CompletableFuture<HttpResponse<byte[]>> fetch(Lease lease, String path, byte[] body, Map<String, String> headers,
                                                  long maxBytes) {
        return client.sendAsync(request(lease, path, body, headers), BoundedBody.handler(maxBytes))
                .whenComplete((response, failure) -> lease.close());
    }

    private static HttpRequest request(Lease lease, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(lease.baseUri().resolve(path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : REQUEST_HEADERS) {
            String value = headers.get(name);
            if (value != null) {
                request.header(name, value);
            }
        }
        if (headers.get("Content-Type") == null) {
            request.header("Content-Type", "application/json");
        }
        return request.build();
    }

    /**
     * Passes any request on as it came, for {@code /upstream}: its method, path and query, its body
     * streamed, its headers but the hop-by-hop ones, {@code Host} and MAGI's own key (the server is
     * MAGI's, not the client's, to authenticate to).
     *
     * @param pathAndQuery checked by {@link UpstreamPath}
     * @param body         null or empty for a request without one
     */
    CompletableFuture<Answer> pass(Lease lease, String method, String pathAndQuery, InputStream body,
                                   MultivaluedMap<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(lease.baseUri() + pathAndQuery));
        Set<String> dropped = new HashSet<>(NOT_FORWARDED);
        headers.getOrDefault("Connection", List.of()).forEach(value -> {
            for (String name : value.split(",")) {
                dropped.add(name.trim().toLowerCase(Locale.ROOT));
            }
        });
        headers.forEach((name, values) -> {
            if (!dropped.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> request.header(name, value));
            }
        });
        long length = contentLength(headers.getFirst(HttpHeaders.CONTENT_LENGTH));
        boolean chunked = headers.getFirst("Transfer-Encoding") != null;
        HttpRequest.BodyPublisher publisher = body == null || (length <= 0 && !chunked)
                ? HttpRequest.BodyPublishers.noBody()
                : length > 0 ? HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                        () -> body), length)
                : HttpRequest.BodyPublishers.ofInputStream(() -> body);
        request.method(method, publisher);
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(response -> answer(lease, response, builder -> { }, null))
                .whenComplete((response, failure) -> {
                    if (failure != null) {
                        lease.close();
                    }
                });
    }

    private static long contentLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Whether a header of llama-server's answer reaches the client. Not the hop-by-hop ones, nor those
     * MAGI sets itself: {@code X-Accel-Buffering} (it would be sent twice), and the CORS headers, since
     * llama-server allows any origin while which web pages may read MAGI's answers is MAGI's decision.
     */
    static boolean passedBack(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return !NOT_PASSED.contains(lower) && !lower.equals("x-accel-buffering")
                && !lower.startsWith("access-control-");
    }

    private static Answer answer(Lease lease, HttpResponse<InputStream> upstream,
                                 Consumer<Response.ResponseBuilder> decorate, RequestClock clock) {
        Response.ResponseBuilder response = Response.status(upstream.statusCode());
        upstream.headers().map().forEach((name, values) -> {
            if (passedBack(name)) {
                values.forEach(value -> response.header(name, value));
            }
        });
        GatewayHeaders.add(response, lease);
        response.header("Cache-Control", "no-cache").header("X-Accel-Buffering", "no");
        decorate.accept(response);
        boolean events = upstream.headers().firstValue("Content-Type").orElse("")
                .toLowerCase(Locale.ROOT).startsWith("text/event-stream");
        // Jersey writes and flushes each chunk of a ChunkedOutput as it is given; a StreamingOutput's
        // flush stays in the container's buffer.
        ChunkedOutput<byte[]> chunks = new ChunkedOutput<>(byte[].class);
        return new Answer(response.entity(chunks).build(), upstream.body(), chunks, lease, events, clock,
                upstream.statusCode());
    }

    /**
     * An answer to write: the response, then its body chunk by chunk, or let go unwritten. Its
     * {@code clock} times it and reads its tokens; null for answers nobody observes ({@code /upstream}).
     */
    record Answer(Response response, InputStream body, ChunkedOutput<byte[]> chunks, Lease lease, boolean events,
                  RequestClock clock, int status) {

        /**
         * Copies the answer, a chunk per read, on the calling thread. A client that went away makes a
         * write fail; closing the upstream body then ends the upstream request. An upstream that fails
         * after the stream began is reported as a last {@code data: {"error": ...}} event.
         */
        void pump() {
            byte[] buffer = new byte[8192];
            try (body; lease; chunks) {
                copy(buffer);
            } catch (IOException e) {
                LOG.debug("The client of a request to '{}' went away: {}", lease.modelId(), e.toString());
            } finally {
                if (clock != null) {
                    clock.answered(lease, status);
                }
            }
        }

        private void copy(byte[] buffer) throws IOException {
            while (true) {
                int n;
                try {
                    n = body.read(buffer);
                } catch (IOException e) {
                    LOG.warn("The server of '{}' broke off its answer: {}", lease.modelId(), e.toString());
                    if (events) {
                        chunks.write(OpenAiErrors.lastEvent("The server of '" + lease.modelId()
                                + "' broke off its answer", GatewayError.UPSTREAM_UNAVAILABLE.code()));
                    }
                    return;
                }
                if (n < 0) {
                    return;
                }
                if (clock != null) {
                    clock.passed(buffer, n);
                }
                chunks.write(Arrays.copyOf(buffer, n));
            }
        }

        void abandon() {
            try (body; lease; chunks) {
                // Closing the body ends the upstream request.
            } catch (IOException e) {
                LOG.debug("Closing an unwritten answer: {}", e.toString());
            } finally {
                if (clock != null) {
                    clock.answered(lease, status);
                }
            }
        }
    }
}
