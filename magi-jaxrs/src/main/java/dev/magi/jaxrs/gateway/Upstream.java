package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.Lease;
import dev.magi.core.gateway.Route;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Passes a request to the leased server and its answer back, unchanged and unbuffered: each chunk is
 * written and flushed to the client as it arrives, so a server-sent event stream reaches the client
 * token by token. A client that goes away closes the upstream request, so llama-server stops
 * generating; the lease is closed when the answer ends, however it ends.
 *
 * <p>Jetty's client rather than the JDK's: it is asynchronous from end to end, streams both ways with
 * back-pressure, and holds no thread per request, while the JDK's client hands each answer to the
 * common pool, which on a machine of two cores is a new thread per request (measured: a thread start
 * per request, most of the gateway's cost). It is a plain library, so it runs in every container.
 */
final class Upstream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
    /** Hop-by-hop headers (RFC 9110, 7.6.1) and those the container sets itself. */
    private static final Set<String> NOT_PASSED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "content-length", "date", "server", "cache-control", ":status");
    /** What a request passed through {@code /upstream} loses: hop-by-hop, set by the client library, or MAGI's. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
            "content-length", "host", "expect", "authorization", "x-api-key");
    private static final List<String> REQUEST_HEADERS = List.of("Content-Type", "Accept");

    private final HttpClient client;

    Upstream() {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("magi-upstream");
        threads.setDaemon(true);
        client = new HttpClient();
        client.setExecutor(threads);
        client.setConnectTimeout(10_000);
        client.setFollowRedirects(false);
        // No idle timeout (Jetty's default is 30 s): an answer that is not streamed may take minutes to
        // begin while llama-server generates it. Idle pooled connections closed by the server are noticed
        // by the client's selector and dropped.
        client.setIdleTimeout(0);
        // The bytes pass unchanged: no decoding of a compressed answer, and no user agent of MAGI's own.
        client.getContentDecoderFactories().clear();
        client.setUserAgentField(null);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("The gateway's HTTP client did not start", e);
        }
    }

    /**
     * Sends the request; the future gives the answer once its headers came, or fails when the server
     * could not be reached (the lease is then closed).
     */
    CompletableFuture<Answer> forward(Lease lease, String path, byte[] body, Map<String, String> headers) {
        return forward(lease, path, body, headers, answer -> { }, null);
    }

    /**
     * As {@link #forward(Lease, String, byte[], Map)}, with headers of the caller's added to the answer,
     * timing the answer and reading its tokens with {@code clock} (null: not observed) as it passes.
     */
    CompletableFuture<Answer> forward(Lease lease, String path, byte[] body, Map<String, String> headers,
                                      Consumer<AnswerHeaders> decorate, RequestClock clock) {
        return sendOrRelease(lease, () -> {
            Request request = client.newRequest(lease.baseUri().resolve(path)).method("POST");
            String type = headers.get("Content-Type") != null ? headers.get("Content-Type") : "application/json";
            request.body(new BytesRequestContent(type, body));
            request.headers(fields -> {
                for (String name : REQUEST_HEADERS) {
                    String value = headers.get(name);
                    if (value != null) {
                        fields.put(name, value);
                    }
                }
            });
            return send(request, lease, decorate, clock);
        });
    }

    /**
     * Sends the request and reads its whole answer, up to {@code maxBytes}; the lease is closed once
     * the answer is read, or the request failed. Cancelling the future aborts the request, so that an
     * answer nobody waits for any more stops holding its server's slot.
     */
    CompletableFuture<Fetched> fetch(Lease lease, String path, byte[] body, Map<String, String> headers,
                                     long maxBytes) {
        CompletableFuture<Fetched> fetched = new CompletableFuture<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Request request = client.newRequest(lease.baseUri().resolve(path)).method("POST")
                .body(new BytesRequestContent(headers.getOrDefault("Content-Type", "application/json"), body));
        request.onResponseContent((response, chunk) -> {
            if (bytes.size() + (long) chunk.remaining() > maxBytes) {
                response.abort(new IOException("The answer is longer than " + maxBytes + " bytes"));
                return;
            }
            byte[] copy = new byte[chunk.remaining()];
            chunk.get(copy);
            bytes.writeBytes(copy);
        });
        request.send(result -> {
            lease.close();
            if (result.isFailed()) {
                fetched.completeExceptionally(result.getFailure());
            } else {
                fetched.complete(new Fetched(result.getResponse().getStatus(), bytes.toByteArray()));
            }
        });
        fetched.whenComplete((answer, failure) -> {
            if (fetched.isCancelled()) {
                // The lease is closed by the send's callback above, once the abort ended the request.
                request.abort(new CancellationException("The answer is not wanted"));
            }
        });
        return fetched;
    }

    /** A whole answer: its status and body. */
    record Fetched(int status, byte[] body) {
    }

    /**
     * Passes any request on as it came, for {@code /upstream}: its method, path and query, its body
     * streamed, its headers but the hop-by-hop ones, {@code Host} and MAGI's own key (the server is
     * MAGI's, not the client's, to authenticate to).
     *
     * @param pathAndQuery checked by {@link UpstreamPath}
     * @param headers      the client's headers, each name with its values
     * @param body         the body, null for a request without one
     * @param clock        times the answer and reads its tokens as it passes
     */
    CompletableFuture<Answer> pass(Lease lease, String method, String pathAndQuery, Map<String, List<String>> headers,
                                   Request.Content body, RequestClock clock) {
        return sendOrRelease(lease, () -> {
            Request request = client.newRequest(URI.create(lease.baseUri() + pathAndQuery)).method(method);
            Set<String> dropped = new HashSet<>(NOT_FORWARDED);
            headers.forEach((name, values) -> {
                if (name.equalsIgnoreCase("Connection")) {
                    values.forEach(value -> {
                        for (String token : value.split(",")) {
                            dropped.add(token.trim().toLowerCase(Locale.ROOT));
                        }
                    });
                }
            });
            request.headers(fields -> headers.forEach((name, values) -> {
                if (!dropped.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> fields.add(name, value));
                }
            }));
            if (body != null) {
                request.body(body);
            }
            // The lease names the model as asked by id; the answer says it came through /upstream.
            return send(request, lease, answer -> answer.set("X-MAGI-Route", Route.UPSTREAM.wireName()), clock);
        });
    }

    /**
     * Builds and sends a request; one that cannot even be built (a target the client library refuses)
     * gives its lease back and fails the forwarding, instead of holding a slot of the server for good.
     */
    private static CompletableFuture<Answer> sendOrRelease(Lease lease, Supplier<CompletableFuture<Answer>> sending) {
        try {
            return sending.get();
        } catch (RuntimeException e) {
            lease.close();
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletableFuture<Answer> send(Request request, Lease lease, Consumer<AnswerHeaders> decorate,
                                                  RequestClock clock) {
        Answer answer = new Answer(request, lease, decorate, clock);
        // Cancelled when the client went away before the answer began: llama-server stops generating.
        answer.headers.whenComplete((done, failure) -> {
            if (answer.headers.isCancelled()) {
                request.abort(new CancellationException("The client went away"));
            }
        });
        request.onResponseHeaders(answer::headers).onResponseContentAsync(answer::content).send(answer::completed);
        return answer.headers;
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

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            LOG.debug("The gateway's HTTP client did not stop cleanly: {}", e.toString());
        }
    }

    /**
     * An answer under way: its status and headers once they came, then its body, passed to a client
     * with {@link #pipe} or let go with {@link #abandon}. Its {@code clock} times it and reads its
     * tokens; null for answers nobody observes.
     */
    static final class Answer {
        private final Request request;
        private final Lease lease;
        private final Consumer<AnswerHeaders> decorate;
        private final RequestClock clock;
        final CompletableFuture<Answer> headers = new CompletableFuture<>();
        private final AnswerHeaders answerHeaders = new AnswerHeaders();
        private int status;
        private long contentLength = -1;
        private boolean events;
        /** Set once; before it, a chunk that came waits with its demand in {@link #held}. */
        private Exchange client;
        private byte[] held;
        private Runnable heldDemand;
        private boolean ended;
        private Throwable endFailure;

        private Answer(Request request, Lease lease, Consumer<AnswerHeaders> decorate, RequestClock clock) {
            this.request = request;
            this.lease = lease;
            this.decorate = decorate;
            this.clock = clock;
        }

        int status() {
            return status;
        }

        private void headers(Response response) {
            status = response.getStatus();
            for (HttpField field : response.getHeaders()) {
                if (passedBack(field.getName())) {
                    answerHeaders.add(field.getName(), field.getValue());
                }
            }
            String type = response.getHeaders().get("Content-Type");
            events = type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
            if (!events) {
                contentLength = response.getHeaders().getLongField("Content-Length");
            }
            GatewayHeaders.add(answerHeaders, lease);
            answerHeaders.set("Cache-Control", "no-cache").set("X-Accel-Buffering", "no");
            decorate.accept(answerHeaders);
            headers.complete(this);
        }

        private void content(Response response, Content.Chunk chunk,
                             Runnable demand) {
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes, 0, bytes.length);
            Exchange to;
            synchronized (this) {
                to = client;
                if (to == null) {
                    held = bytes;
                    heldDemand = demand;
                    return;
                }
            }
            pass(to, bytes, demand);
        }

        private void pass(Exchange to, byte[] bytes, Runnable demand) {
            if (clock != null) {
                clock.passed(bytes);
            }
            // A stream is flushed chunk by chunk; an answer of known length goes out as the container sees fit.
            to.write(bytes, contentLength < 0, demand);
        }

        private void completed(Result result) {
            if (!headers.isDone() || headers.isCancelled()) {
                // Failed before its headers: the forwarding fails, and OneRetry may try again. Or cancelled,
                // the client gone: nobody takes the answer, so its lease is closed here.
                lease.close();
                headers.completeExceptionally(result.getFailure() != null ? result.getFailure()
                        : new IOException("The server closed the connection before answering"));
                return;
            }
            Exchange to;
            synchronized (this) {
                ended = true;
                endFailure = result.getFailure();
                to = client;
            }
            if (to != null) {
                finish(to);
            }
        }

        /** Sends the status, the headers and then the body to {@code to}, as they come. */
        void pipe(Exchange to) {
            to.onGone(() -> request.abort(new CancellationException("The client went away")));
            try {
                to.begin(status, answerHeaders, contentLength);
            } catch (IOException | RuntimeException e) {
                // Aborted, the answer still ends below once the client is set, and so closes the lease.
                request.abort(e);
            }
            byte[] first;
            Runnable firstDemand;
            boolean done;
            synchronized (this) {
                client = to;
                first = held;
                firstDemand = heldDemand;
                held = null;
                done = ended;
            }
            if (first != null) {
                pass(to, first, firstDemand);
            }
            if (done) {
                finish(to);
            }
        }

        /**
         * Lets the answer go unwritten: its request is closed, and so is the lease. Its clock is not told:
         * the caller knows what the client got instead (nothing, or another answer).
         */
        void abandon() {
            request.abort(new CancellationException("The answer is not wanted"));
            lease.close();
        }

        Lease lease() {
            return lease;
        }

        private void finish(Exchange to) {
            Throwable failure = endFailure;
            if (failure != null && !to.gone()) {
                LOG.warn("The server of '{}' broke off its answer: {}", lease.modelId(), failure.toString());
                if (events) {
                    to.write(OpenAiErrors.lastEvent("The server of '" + lease.modelId() + "' broke off its answer",
                            GatewayError.UPSTREAM_UNAVAILABLE.code()), true, () -> { });
                }
            }
            // Gone before the end, the client did not get the status its first bytes said.
            boolean gone = to.gone();
            to.end();
            lease.close();
            if (clock != null) {
                clock.answered(lease, gone ? RequestClock.CLIENT_GONE : status);
            }
        }
    }
}
