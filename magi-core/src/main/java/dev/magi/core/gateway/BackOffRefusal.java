package dev.magi.core.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A request for a model whose server crashed and waits out its restart back-off is refused at once
 * ({@code 503 model_backoff}) rather than queued or answered by a start of its own: a start now
 * would defeat the back-off that keeps a crashing server from running in a loop. The client is told
 * when to ask again: the seconds until the restart, rounded up, at least 1. A model whose server was
 * left failed is refused the same way until its start back-off ends.
 */
final class BackOffRefusal {
    private BackOffRefusal() {
    }

    /** The refusal for {@code modelId} when its restart is due after {@code now}; empty otherwise. */
    static Optional<GatewayException> of(String modelId, Optional<Instant> restartDue, Instant now) {
        if (restartDue.isEmpty()) {
            return Optional.empty();
        }
        int seconds = secondsUntil(restartDue.get(), now);
        return Optional.of(new GatewayException(GatewayError.MODEL_BACKOFF, "The server of '" + modelId
                + "' crashed and restarts in " + seconds + " s (restart back-off): try again then", "model",
                seconds));
    }

    /**
     * The refusal for {@code modelId} when its server was left failed and its start back-off ends
     * after {@code now} ({@link StartBackOff}); empty otherwise.
     */
    static Optional<GatewayException> afterFailure(String modelId, Optional<Instant> retryAt, Instant now) {
        if (retryAt.isEmpty()) {
            return Optional.empty();
        }
        int seconds = secondsUntil(retryAt.get(), now);
        return Optional.of(new GatewayException(GatewayError.MODEL_BACKOFF, "The server of '" + modelId
                + "' failed to start; a new start is tried in " + seconds + " s (start back-off): try again then,"
                + " or see its log at /api/models/servers/" + modelId + "/logs", "model", seconds));
    }

    private static int secondsUntil(Instant due, Instant now) {
        long millis = Math.max(0, Duration.between(now, due).toMillis());
        return (int) Math.max(1, (millis + 999) / 1000);
    }
}
