package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.Admission;
import dev.magi.core.gateway.AutoScore;
import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import dev.magi.core.gateway.Lease;
import dev.magi.core.gateway.twostage.TwoStagePlan;
import dev.magi.core.gateway.twostage.TwoStageRules;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * One inference request, whichever endpoint: read the body's {@code model}, wait (without a thread)
 * for a slot of the right server, and pass the request through. Embeddings, rerank and tokenizing
 * belong to one model's vocabulary, so a tier or {@code auto} is refused there.
 */
final class Inference {
    private static final Logger LOG = LoggerFactory.getLogger(Inference.class);
    private static final String CHAT = "v1/chat/completions";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ONE_MODEL_ONLY = Set.of("v1/embeddings", "v1/rerank", "tokenize", "detokenize");
    /** Shared by every request: the JDK client keeps connections to each server alive between requests. */
    static final Upstream UPSTREAM = new Upstream();

    private Inference() {
    }

    /** @param path the endpoint's path under the server's root, such as {@code v1/chat/completions} */
    static void serve(MagiEngine engine, String path, HttpHeaders headers, InputStream body, AsyncResponse async)
            throws IOException {
        InferenceRequest request = InferenceRequest.read(body);
        String session = headers.getHeaderString("X-Session-Id");
        Admission admission = new Admission(request.model(), request.text(), session != null ? session
                : request.user(), !ONE_MODEL_ONLY.contains(path));
        Map<String, String> passed = new HashMap<>();
        passed.put("Content-Type", headers.getHeaderString(HttpHeaders.CONTENT_TYPE));
        passed.put("Accept", headers.getHeaderString(HttpHeaders.ACCEPT));
        if (path.equals(CHAT)) {
            Optional<AutoScore> auto = engine.gateway().scoreAuto(admission);
            if (auto.isPresent() && auto.get().twoStage().enabled()) {
                ObjectNode root = (ObjectNode) JSON.readTree(request.body());
                TwoStagePlan plan = TwoStageRules.plan(auto.get().twoStage(), auto.get().tier(), root);
                if (plan.twoStages()) {
                    TwoStageAnswer.serve(engine.gateway(), UPSTREAM, root, request, admission.session(), auto.get(),
                            plan, passed, async);
                } else {
                    forward(engine, admission, path, request, passed, async,
                            response -> response.header("X-MAGI-Two-Stage", "skipped:" + plan.skipReason()));
                }
                return;
            }
        }
        forward(engine, admission, path, request, passed, async, response -> { });
    }

    private static void forward(MagiEngine engine, Admission admission, String path, InferenceRequest request,
                                Map<String, String> passed, AsyncResponse async,
                                Consumer<Response.ResponseBuilder> decorate) {
        RequestClock clock = new RequestClock(engine.gateway(), request.model());
        CompletableFuture<Lease> admitted = engine.gateway().admit(admission);
        deliver(OneRetry.forward(admitted, () -> engine.gateway().admit(admission),
                lease -> UPSTREAM.forward(lease, "/" + path, request.body(), passed, decorate, clock)), async, clock);
    }

    /** Passes any request to one model's server, for {@code /upstream}. */
    static void pass(CompletableFuture<Lease> admitted, String method, String pathAndQuery, InputStream body,
                     HttpHeaders headers, AsyncResponse async) {
        deliver(admitted.thenCompose(lease -> UPSTREAM.pass(lease, method, pathAndQuery, body,
                headers.getRequestHeaders())), async, null);
    }

    /** Writes the answer once there is one, or the reason there is none. */
    private static void deliver(CompletableFuture<Upstream.Answer> answered, AsyncResponse async, RequestClock clock) {
        answered.whenComplete((answer, failure) -> {
            if (failure != null) {
                Throwable cause = unwrap(failure);
                if (clock != null) {
                    clock.refused(cause instanceof GatewayException refusal ? refusal.error().httpStatus() : 500);
                }
                async.resume(cause);
            } else if (async.resume(answer.response())) {
                answer.pump();
            } else {
                answer.abandon();
            }
        });
    }

    static Throwable unwrap(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
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
