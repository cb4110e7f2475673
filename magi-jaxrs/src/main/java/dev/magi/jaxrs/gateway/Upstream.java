package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.Lease;
import jakarta.ws.rs.core.Response;
import org.glassfish.jersey.server.ChunkedOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

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
    private static final Set<String> REQUEST_HEADERS = Set.of("Content-Type", "Accept");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * Sends the request; the future gives the answer to write, or fails when the server could not be
     * reached (the lease is then closed).
     */
    CompletableFuture<Answer> forward(Lease lease, String path, byte[] body, Map<String, String> headers,
                                      RequestClock clock) {
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
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(response -> answer(lease, response, clock))
                .whenComplete((response, failure) -> {
                    if (failure != null) {
                        lease.close();
                    }
                });
    }

    private static Answer answer(Lease lease, HttpResponse<InputStream> upstream, RequestClock clock) {
        Response.ResponseBuilder response = Response.status(upstream.statusCode());
        upstream.headers().map().forEach((name, values) -> {
            if (!NOT_PASSED.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(value -> response.header(name, value));
            }
        });
        GatewayHeaders.add(response, lease);
        response.header("Cache-Control", "no-cache").header("X-Accel-Buffering", "no");
        boolean events = upstream.headers().firstValue("Content-Type").orElse("")
                .toLowerCase(Locale.ROOT).startsWith("text/event-stream");
        // Jersey writes and flushes each chunk of a ChunkedOutput as it is given; a StreamingOutput's
        // flush stays in the container's buffer.
        ChunkedOutput<byte[]> chunks = new ChunkedOutput<>(byte[].class);
        return new Answer(response.entity(chunks).build(), upstream.body(), chunks, lease, events, clock,
                upstream.statusCode());
    }

    /** An answer to write: the response, then its body chunk by chunk, or let go unwritten. */
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
                clock.answered(lease, status);
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
                clock.passed(buffer, n);
                chunks.write(Arrays.copyOf(buffer, n));
            }
        }

        void abandon() {
            try (body; lease; chunks) {
                // Closing the body ends the upstream request.
            } catch (IOException e) {
                LOG.debug("Closing an unwritten answer: {}", e.toString());
            } finally {
                clock.answered(lease, status);
            }
        }
    }
}
