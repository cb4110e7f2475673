package dev.magi.core.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A request for a model whose server crashed and waits out its restart back-off is refused at once
 * ({@code 503 model_backoff}) rather than queued or answered by a start of its own: a start now
 * would defeat the back-off that keeps a crashing server from running in a loop. The client is told
 * when to ask again: the seconds until the restart, rounded up, at least 1.
 */
final class BackOffRefusal {
    private BackOffRefusal() {
    }

    /** The refusal for {@code modelId} when its restart is due after {@code now}; empty otherwise. */
    static Optional<GatewayException> of(String modelId, Optional<Instant> restartDue, Instant now) {
        if (restartDue.isEmpty()) {
            return Optional.empty();
        }
        long millis = Math.max(0, Duration.between(now, restartDue.get()).toMillis());
        int seconds = (int) Math.max(1, (millis + 999) / 1000);
        return Optional.of(new GatewayException(GatewayError.MODEL_BACKOFF, "The server of '" + modelId
                + "' crashed and restarts in " + seconds + " s (restart back-off): try again then", "model",
                seconds));
    }
}
