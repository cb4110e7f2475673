package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.magi.core.gateway.Admission;
import dev.magi.core.gateway.AutoScore;
import dev.magi.core.gateway.Gateway;
import dev.magi.core.gateway.GatewayException;
import dev.magi.core.gateway.Lease;
import dev.magi.core.gateway.Route;
import dev.magi.core.gateway.twostage.DraftAsStream;
import dev.magi.core.gateway.twostage.StageRequests;
import dev.magi.core.gateway.twostage.TwoStagePlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * An {@code auto} chat answered in two stages: a slot of the drafting tier answers a bounded,
 * unstreamed copy of the request, read whole; then a slot of the answering tier gets the request with
 * the draft appended, and its answer passes through unbuffered like any other. Each stage holds its
 * own lease, the first closed before the second is asked for, so the two never wait on each other.
 * If the draft fails, stage 2 answers the request alone; if stage 2 fails before its answer began,
 * the draft is the answer.
 */
final class TwoStageAnswer {
    /** The most of a draft kept in memory; stage 1's tokens are bounded, this bounds its bytes too. */
    static final long MAX_STAGE1_BYTES = 4L * 1024 * 1024;
    private static final String PATH = "/v1/chat/completions";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(TwoStageAnswer.class);

    private TwoStageAnswer() {
    }

    /** What stage 1 gave: its lease (null when none was had), its answer and draft (null when it failed). */
    private record Stage1(Lease lease, JsonNode answer, String draft, long millis) {
        boolean succeeded() {
            return draft != null;
        }
    }

    static void serve(Gateway gateway, Upstream upstream, ObjectNode root, InferenceRequest request, String session,
                      AutoScore auto, TwoStagePlan plan, Map<String, String> headers, Exchange exchange) {
        long started = System.nanoTime();
        RequestClock clock = new RequestClock(gateway, request.model(), Route.TWO_STAGE);
        byte[] stage1Body = bytes(StageRequests.stage1(root, plan.stage1MaxTokens()));
        Lease[] stage1Lease = new Lease[1];
        // Stage 1 has no session: the conversation's stickiness belongs to the model that answers.
        Inference.admitWhileThere(gateway, new Admission(plan.stage1Tier().wireName(), request.text(), null, true),
                        exchange)
                .thenCompose(lease -> {
                    stage1Lease[0] = lease;
                    return exchange.gone() ? Inference.<Upstream.Fetched>goneBeforeSending(lease)
                            : fetchWhileThere(upstream, lease, stage1Body, headers, exchange);
                })
                .handle((response, failure) -> stage1(stage1Lease[0], response, failure, started))
                .thenAccept(stage1 -> {
                    if (exchange.gone()) {
                        // Nobody to answer: stage 2 is neither queued nor started.
                        clock.refused(RequestClock.CLIENT_GONE);
                        return;
                    }
                    stage2(gateway, upstream, root, request, session, auto, plan, headers, stage1, exchange, clock);
                })
                .exceptionally(failure -> {
                    LOG.error("A two-stage answer failed unexpectedly", failure);
                    clock.refused(500);
                    exchange.refuse(failure);
                    return null;
                });
    }

    /**
     * Fetches the draft while the client is there: nothing is written to the client meanwhile, so its
     * connection is watched (where the host can), and a client that leaves aborts the fetch, freeing the
     * drafting model's slot instead of holding it to the draft's end.
     */
    private static CompletableFuture<Upstream.Fetched> fetchWhileThere(Upstream upstream, Lease lease, byte[] body,
                                                                      Map<String, String> headers, Exchange exchange) {
        CompletableFuture<Upstream.Fetched> fetched = upstream.fetch(lease, PATH, body, headers, MAX_STAGE1_BYTES);
        exchange.onGone(() -> fetched.cancel(false));
        exchange.watchWhile(fetched);
        return fetched;
    }

    private static Stage1 stage1(Lease lease, Upstream.Fetched response, Throwable failure, long started) {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (failure != null) {
            // A cancelled draft is no failure of its model: its client went away, and nothing follows.
            if (!(Inference.cause(failure) instanceof CancellationException)) {
                LOG.info("Stage 1 of a two-stage answer failed, stage 2 answers alone: {}",
                        Inference.unwrap(failure).getMessage());
            }
            return new Stage1(lease, null, null, millis);
        }
        JsonNode answer = null;
        if (response.status() / 100 == 2) {
            try {
                answer = JSON.readTree(response.body());
            } catch (IOException e) {
                LOG.info("Stage 1 of a two-stage answer is not JSON, stage 2 answers alone: {}", e.getMessage());
            }
        } else {
            LOG.info("Stage 1 of a two-stage answer failed with status {}, stage 2 answers alone",
                    response.status());
        }
        return new Stage1(lease, answer, StageRequests.draft(answer).orElse(null), millis);
    }

    private static void stage2(Gateway gateway, Upstream upstream, ObjectNode root, InferenceRequest request,
                               String session, AutoScore auto, TwoStagePlan plan, Map<String, String> headers,
                               Stage1 stage1, Exchange exchange, RequestClock clock) {
        byte[] body = stage1.succeeded() ? bytes(StageRequests.stage2(root, stage1.draft())) : request.body();
        String outcome = stage1.succeeded() ? "done" : "stage1-failed";
        Consumer<AnswerHeaders> decorate = response -> twoStageHeaders(response, auto, stage1, outcome);
        CompletableFuture<Lease> admitted = Inference.admitWhileThere(gateway, new Admission(
                plan.stage2Tier().wireName(), request.text(), session, true), exchange);
        admitted.thenCompose(lease -> exchange.gone() ? Inference.<Upstream.Answer>goneBeforeSending(lease)
                        : Inference.whileThere(exchange, upstream.forward(lease, PATH, body, headers, decorate, clock)))
                .whenComplete((answer, failure) -> {
                    if (exchange.gone()) {
                        if (answer != null) {
                            answer.abandon();
                        }
                        clock.refused(RequestClock.CLIENT_GONE);
                    } else if (stage1.succeeded() && (failure != null || answer.status() / 100 != 2)) {
                        if (answer != null) {
                            answer.abandon();
                        }
                        LOG.info("Stage 2 of a two-stage answer failed; the draft of '{}' is the answer",
                                stage1.lease().modelId());
                        clock.answered(stage1.lease(), 200);
                        degraded(root, auto, stage1, exchange);
                    } else if (failure != null) {
                        Throwable cause = Inference.unwrap(failure);
                        clock.refused(cause instanceof GatewayException refusal ? refusal.error().httpStatus() : 500);
                        exchange.refuse(failure);
                    } else {
                        answer.pipe(exchange);
                    }
                });
    }

    /** Stage 1's answer, as JSON, or as a stream when the client asked for one. */
    private static void degraded(ObjectNode root, AutoScore auto, Stage1 stage1, Exchange exchange) {
        boolean stream = root.path("stream").asBoolean(false);
        AnswerHeaders response = new AnswerHeaders();
        byte[] body;
        if (stream) {
            response.add("Content-Type", "text/event-stream").add("X-Accel-Buffering", "no");
            body = DraftAsStream.events(stage1.answer());
        } else {
            response.add("Content-Type", "application/json");
            body = bytes(stage1.answer());
        }
        response.add("Cache-Control", "no-cache");
        GatewayHeaders.add(response, stage1.lease());
        twoStageHeaders(response, auto, stage1, "degraded");
        exchange.answer(200, response, body);
    }

    private static void twoStageHeaders(AnswerHeaders response, AutoScore auto, Stage1 stage1, String outcome) {
        // These replace what the stage's own lease said.
        response.set("X-MAGI-Route", Route.TWO_STAGE.wireName())
                .set("X-MAGI-Score", String.format(Locale.ROOT, "%.4f", auto.score()))
                .set("X-MAGI-Two-Stage", outcome)
                .set("X-MAGI-Stage1-Ms", stage1.millis());
        if (stage1.lease() != null) {
            response.set("X-MAGI-Stage1-Model", stage1.lease().modelId());
        }
    }

    private static byte[] bytes(JsonNode json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }
}
