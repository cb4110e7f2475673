package dev.magi.jaxrs.gateway;

import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.Admission;
import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import dev.magi.core.gateway.Lease;
import dev.magi.core.gateway.Route;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's byte-moving paths as one asynchronous servlet: the inference endpoints ({@code /v1}'s
 * and llama-server's own at the root) and {@code /upstream/{id}/...}. Jersey serves the rest (the model
 * list, the API); these paths only read a body, ask the gateway's rules for a server and pass bytes, so
 * they skip Jersey's matching, injection and entity machinery, which cost more than the forwarding
 * itself. A plain servlet runs in every container: the standalone's Jetty, and the WAR's Tomcat or Jetty.
 * Mount it at {@link #PATHS} with asynchronous requests on.
 */
public final class GatewayServlet extends HttpServlet {
    /** Where the servlet is mapped; exact paths, so Jersey keeps every other path under {@code /v1}. */
    public static final List<String> PATHS = List.of("/v1/chat/completions", "/v1/completions", "/v1/embeddings",
            "/v1/rerank", "/completion", "/infill", "/tokenize", "/detokenize", "/apply-template", "/upstream/*");
    private static final String UPSTREAM = "/upstream";
    private static final Set<String> READS = Set.of("GET", "HEAD");
    private static final long serialVersionUID = 1L;

    private final transient MagiEngine engine;
    private final transient GatewayGuard guard;
    private final transient ClientWatch watch;
    private transient Upstream upstream;
    private transient Inference inference;
    private transient GatewayTimers timers;

    public GatewayServlet(MagiEngine engine, GatewayGuard guard) {
        this(engine, guard, ClientWatch.NONE);
    }

    /** @param watch how the container tells of a client that left while its request waits */
    public GatewayServlet(MagiEngine engine, GatewayGuard guard, ClientWatch watch) {
        this.engine = engine;
        this.guard = guard;
        this.watch = watch;
    }

    @Override
    public void init() {
        upstream = new Upstream();
        timers = new GatewayTimers();
        inference = new Inference(engine, upstream);
    }

    @Override
    public void destroy() {
        if (upstream != null) {
            upstream.close();
        }
        if (timers != null) {
            timers.close();
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // Counted from here, as near the request's headers as a servlet gets.
        BodyDeadline deadline = timers.start(bodyTimeout());
        String path = request.getRequestURI().substring(request.getContextPath().length());
        GatewayGuard.Refusal refusal = guard.check(request.getMethod(), request::getHeader);
        if (refusal != null) {
            refuse(request, response, refusal, deadline);
            return;
        }
        if (path.equals(UPSTREAM) || path.startsWith(UPSTREAM + "/")) {
            upstream(request, response, path.substring(UPSTREAM.length()), deadline);
        } else if (!request.getMethod().equals("POST")) {
            refuse(request, response, new GatewayGuard.Refusal(404, "invalid_request_error", "unknown_url",
                    "Unknown request URL: " + request.getMethod() + " " + path.replaceAll("\\p{Cntrl}", "?")
                            + "; this endpoint takes POST"), deadline);
        } else {
            infer(request, response, path.substring(1), deadline);
        }
    }

    private void infer(HttpServletRequest request, HttpServletResponse response, String endpoint,
                       BodyDeadline deadline) throws IOException {
        Exchange exchange = Exchange.start(request, response, watch, timers);
        CompletableFuture<byte[]> read = WholeBody.read(request, InferenceRequest.MAX_BODY_BYTES, deadline,
                exchange::closeAfterAnswer);
        read.whenComplete((body, failure) -> {
            if (failure != null) {
                Throwable cause = Inference.cause(failure);
                exchange.refuse(cause instanceof GatewayException ? cause : unreadable(cause));
                return;
            }
            try {
                inference.serve(endpoint, request::getHeader, body, exchange);
            } catch (IOException | RuntimeException e) {
                exchange.refuse(e);
            }
        });
    }

    /**
     * A body that could not be read whole (broken chunks, the connection's idle timeout part-way): the
     * client's fault, answered as a 400 and not logged as MAGI's failure.
     */
    private static GatewayException unreadable(Throwable failure) {
        String reason = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getSimpleName();
        return new GatewayException(GatewayError.INVALID_JSON, "The request body could not be read whole: "
                + reason.replaceAll("\\p{Cntrl}", "?"), null, null);
    }

    /**
     * {@code /upstream/{id}{/path}}: a GET or HEAD reads a ready server without a slot and never starts
     * one; any other method waits for a slot like an inference request, its body streamed. Each is
     * recorded as an inference request is, asking for the model in its path, by the route {@code upstream}.
     *
     * @param rest     the raw path after {@code /upstream}
     * @param deadline when the body of a request refused at once must have been read and thrown away
     */
    private void upstream(HttpServletRequest request, HttpServletResponse response, String rest,
                          BodyDeadline deadline) throws IOException {
        int slash = rest.indexOf('/', 1);
        String id = rest.length() <= 1 ? "" : URLDecoder.decode(slash < 0 ? rest.substring(1) : rest.substring(1,
                slash), StandardCharsets.UTF_8);
        String method = request.getMethod();
        Exchange exchange = Exchange.start(request, response, watch, timers);
        RequestClock clock = new RequestClock(engine.gateway(), id, Route.UPSTREAM);
        long length = request.getContentLengthLong();
        boolean hasBody = hasBody(request);
        String target;
        try {
            if (id.isEmpty()) {
                throw new GatewayException(GatewayError.MODEL_NOT_FOUND, "/upstream needs a model id:"
                        + " /upstream/ID/PATH", "model", null);
            }
            target = UpstreamPath.of(slash < 0 ? "" : rest.substring(slash), request.getQueryString());
            if (READS.contains(method)) {
                Lease lease = engine.gateway().readingLease(id);
                exchange.onGone(lease::close);
                Inference.deliver(upstream.pass(lease, method, target, headers(request), null, clock), exchange,
                        clock);
                return;
            }
            if (!engine.registry().snapshot().models().containsKey(id)) {
                // An alias or a tier is not a server: /upstream names one model by its id.
                throw new GatewayException(GatewayError.MODEL_NOT_FOUND, "No model has the id '"
                        + id.replaceAll("\\p{Cntrl}", "?") + "'", "model", null);
            }
            if (length > InferenceRequest.MAX_BODY_BYTES) {
                throw WholeBody.tooLarge(InferenceRequest.MAX_BODY_BYTES);
            }
        } catch (GatewayException e) {
            if (hasBody) {
                // Refused before its body was read: the body is read and thrown away first (see RefusedBody).
                RefusedBody.readRest(request, deadline, exchange::closeAfterAnswer)
                        .thenRun(() -> refuse(exchange, clock, e));
            } else {
                refuse(exchange, clock, e);
            }
            return;
        }
        StreamedBody body = hasBody ? new StreamedBody(request.getInputStream(), length,
                InferenceRequest.MAX_BODY_BYTES, timers, bodyTimeout(), exchange::closeAfterAnswer).start() : null;
        try {
            CompletableFuture<Lease> admitted = engine.gateway().admit(new Admission(id, null, null, false));
            exchange.onGone(() -> admitted.cancel(false));
            exchange.watchWhile(admitted);
            Map<String, List<String>> headers = headers(request);
            CompletableFuture<Upstream.Answer> answered = admitted.thenCompose(lease -> {
                if (exchange.gone()) {
                    return Inference.goneBeforeSending(lease);
                }
                if (body != null) {
                    // Timed from here: while the request waited for a slot, MAGI held its body back.
                    body.startDeadline();
                }
                return upstream.pass(lease, method, target, headers, body, clock);
            });
            if (body != null) {
                // A refusal may come before the body was read (no slot, no server): the rest is read first.
                // A body too slow or unreadable failed the request itself: the answer says it was the client's.
                answered = answered.exceptionallyCompose(failure -> body.discardRest()
                        .thenCompose(done -> CompletableFuture.failedFuture(clientsFault(body, failure))));
            }
            Inference.deliver(answered, exchange, clock);
        } catch (GatewayException e) {
            refuse(exchange, clock, e);
        }
    }

    /**
     * What a failed {@code /upstream} request is answered: the refusal of a body that missed its deadline
     * or could not be read, else {@code failure}.
     */
    private static Throwable clientsFault(StreamedBody body, Throwable failure) {
        Throwable overdue = body.overdue();
        if (overdue != null) {
            return overdue;
        }
        Throwable unread = body.readFailure();
        return unread != null ? unreadable(unread) : failure;
    }

    /** Refuses an {@code /upstream} request before it was sent, and records the refusal. */
    private static void refuse(Exchange exchange, RequestClock clock, GatewayException refusal) {
        clock.refused(refusal.error().httpStatus());
        exchange.refuse(refusal);
    }

    /**
     * How long a body may take to arrive, or the rest of a refused one to be read and thrown away: the
     * request body timeout.
     */
    private Duration bodyTimeout() {
        return engine.config().requestBodyTimeout();
    }

    private static Map<String, List<String>> headers(HttpServletRequest request) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, Collections.list(request.getHeaders(name)));
        }
        return headers;
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    /**
     * A refusal before anything was started. A request with a body is answered once its body was read
     * and thrown away (see {@link RefusedBody}); one without, at once.
     */
    private void refuse(HttpServletRequest request, HttpServletResponse response, GatewayGuard.Refusal refusal,
                        BodyDeadline deadline) throws IOException {
        if (!hasBody(request)) {
            refuseNow(response, refusal);
            return;
        }
        Exchange exchange = Exchange.start(request, response, ClientWatch.NONE, timers);
        AnswerHeaders headers = new AnswerHeaders().add("Content-Type", "application/json");
        if (refusal.code().equals(GatewayError.INVALID_API_KEY.code())) {
            headers.add("WWW-Authenticate", "Bearer realm=\"magi\"");
        }
        byte[] body = OpenAiErrors.bytes(refusal.message(), refusal.type(), null, refusal.code());
        RefusedBody.readRest(request, deadline, exchange::closeAfterAnswer)
                .thenRun(() -> exchange.answer(refusal.status(), headers, body));
    }

    /** A refusal of a request without a body: a small answer, written at once. */
    private static void refuseNow(HttpServletResponse response, GatewayGuard.Refusal refusal) throws IOException {
        byte[] body = OpenAiErrors.bytes(refusal.message(), refusal.type(), null, refusal.code());
        response.setStatus(refusal.status());
        response.setContentType("application/json");
        if (refusal.code().equals(GatewayError.INVALID_API_KEY.code())) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"magi\"");
        }
        response.setContentLength(body.length);
        try (OutputStream out = response.getOutputStream()) {
            out.write(body);
        }
    }
}
