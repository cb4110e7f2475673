package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.Admission;
import dev.magi.core.gateway.AutoScore;
import dev.magi.core.gateway.Gateway;
import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import dev.magi.core.gateway.Lease;
import dev.magi.core.gateway.twostage.TwoStagePlan;
import dev.magi.core.gateway.twostage.TwoStageRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One inference request, whichever endpoint: read the body's {@code model}, wait (without a thread)
 * for a slot of the right server, and pass the request through. Embeddings, rerank and tokenizing
 * belong to one model's vocabulary, so a tier or {@code auto} is refused there.
 */
final class Inference {
    private static final Logger LOG = LoggerFactory.getLogger(Inference.class);
    private static final String CHAT = "v1/chat/completions";
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long an answer may take to begin before its client's connection is watched. A watched
     * connection is closed after its answer, so a stream, whose headers come at once, and a short answer
     * keep their connection; a client leaving a long generation is noticed at most this late.
     */
    static final Duration ANSWER_GRACE = Duration.ofSeconds(2);
    private static final Set<String> ONE_MODEL_ONLY = Set.of("v1/embeddings", "v1/rerank", "tokenize", "detokenize");

    private final MagiEngine engine;
    private final Upstream upstream;

    Inference(MagiEngine engine, Upstream upstream) {
        this.engine = engine;
        this.upstream = upstream;
    }

    /**
     * @param path    the endpoint's path under the server's root, such as {@code v1/chat/completions}
     * @param headers the client's headers MAGI reads: {@code X-Session-Id}, {@code Content-Type},
     *                {@code Accept}
     */
    void serve(String path, Function<String, String> headers, byte[] body, Exchange exchange) throws IOException {
        InferenceRequest request = InferenceRequest.parse(body);
        String session = headers.apply("X-Session-Id");
        Admission admission = new Admission(request.model(), request.text(), session != null ? session
                : request.user(), !ONE_MODEL_ONLY.contains(path));
        Map<String, String> passed = new HashMap<>();
        passed.put("Content-Type", headers.apply("Content-Type"));
        passed.put("Accept", headers.apply("Accept"));
        if (path.equals(CHAT)) {
            Optional<AutoScore> auto = engine.gateway().scoreAuto(admission);
            if (auto.isPresent() && auto.get().twoStage().enabled()) {
                ObjectNode root = (ObjectNode) JSON.readTree(request.body());
                TwoStagePlan plan = TwoStageRules.plan(auto.get().twoStage(), auto.get().tier(), root);
                if (plan.twoStages()) {
                    TwoStageAnswer.serve(engine.gateway(), upstream, root, request, admission.session(), auto.get(),
                            plan, passed, exchange);
                } else {
                    forward(admission, path, request, passed, exchange,
                            answer -> answer.set("X-MAGI-Two-Stage", "skipped:" + plan.skipReason()));
                }
                return;
            }
        }
        forward(admission, path, request, passed, exchange, answer -> { });
    }

    private void forward(Admission admission, String path, InferenceRequest request, Map<String, String> passed,
                         Exchange exchange, Consumer<AnswerHeaders> decorate) {
        RequestClock clock = new RequestClock(engine.gateway(), request.model());
        deliver(OneRetry.forward(admitWhileThere(engine.gateway(), admission, exchange),
                () -> admitWhileThere(engine.gateway(), admission, exchange),
                lease -> exchange.gone() ? goneBeforeSending(lease)
                        : whileThere(exchange, upstream.forward(lease, "/" + path, request.body(), passed, decorate,
                        clock))),
                exchange, clock);
    }

    /**
     * Admits a request of a client that is still there: one that went away is not queued (nor a server
     * started for it), and one that goes away while it waits leaves the queue at once.
     */
    static CompletableFuture<Lease> admitWhileThere(Gateway gateway, Admission admission, Exchange exchange) {
        if (exchange.gone()) {
            return CompletableFuture.failedFuture(new CancellationException("The client went away"));
        }
        CompletableFuture<Lease> admitted = gateway.admit(admission);
        exchange.onGone(() -> admitted.cancel(false));
        exchange.watchWhile(admitted);
        return admitted;
    }

    /**
     * Asks llama-server for an answer only while its client is there: a client that goes away before
     * the answer began (a non-streamed answer begins only once it is generated whole) cancels it, which
     * closes the request to llama-server, so it stops generating, and gives the slot back.
     */
    static <A> CompletableFuture<A> whileThere(Exchange exchange, CompletableFuture<A> answering) {
        exchange.onGone(() -> answering.cancel(false));
        exchange.watchAfter(ANSWER_GRACE, answering);
        return answering;
    }

    /** The client went away before its request was sent: its slot is given back at once. */
    static <A> CompletableFuture<A> goneBeforeSending(Lease lease) {
        lease.close();
        return CompletableFuture.failedFuture(new CancellationException("The client went away"));
    }

    /** Writes the answer once there is one, or the reason there is none. */
    static void deliver(CompletableFuture<Upstream.Answer> answered, Exchange exchange, RequestClock clock) {
        answered.whenComplete((answer, failure) -> {
            if (failure != null) {
                Throwable cause = unwrap(failure);
                if (clock != null) {
                    clock.refused(cause instanceof GatewayException refusal ? refusal.error().httpStatus()
                            : exchange.gone() ? RequestClock.CLIENT_GONE : 500);
                }
                if (!exchange.gone()) {
                    exchange.refuse(cause);
                }
            } else if (exchange.gone()) {
                answer.abandon();
                if (clock != null) {
                    clock.answered(answer.lease(), RequestClock.CLIENT_GONE);
                }
            } else {
                answer.pipe(exchange);
            }
        });
    }

    /** The failure a future's stage wrapped, or the failure itself. */
    static Throwable cause(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = cause(failure);
        if (cause instanceof GatewayException) {
            return cause;
        }
        if (cause instanceof IOException) {
            LOG.warn("A server could not be reached: {}", cause.toString());
            return new GatewayException(GatewayError.UPSTREAM_UNAVAILABLE, "The model's server could not be"
                    + " reached: " + cause.getMessage(), null, null);
        }
        return cause;
    }
}
