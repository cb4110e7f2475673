package dev.magi.core.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How long the gateway leaves a model alone after a start it tried failed: without it every request
 * would try a new start at once, and a model that cannot start would be started in a loop by its
 * clients. The delays are the supervisor's
 * restart back-off: the first delay after one failure, doubling with each failure in a row, at most
 * the longest delay. A server that becomes ready again clears the count.
 */
public final class StartBackOff {
    private final Duration firstDelay;
    private final Duration maxDelay;
    private final Map<String, Failures> failures = new HashMap<>();

    private record Failures(int inARow, Instant until) {
    }

    /**
     * @param firstDelay the back-off after one failure ({@code SupervisorOptions.firstRestartDelay})
     * @param maxDelay   the longest back-off ({@code SupervisorOptions.maxRestartDelay})
     */
    public StartBackOff(Duration firstDelay, Duration maxDelay) {
        if (firstDelay.isNegative() || firstDelay.isZero() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("back-off needs 0 < first delay <= longest delay");
        }
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    /** A start of {@code modelId}'s server failed at {@code now}: one more failure in a row. */
    public synchronized void failed(String modelId, Instant now) {
        int inARow = failures.containsKey(modelId) ? failures.get(modelId).inARow() + 1 : 1;
        failures.put(modelId, new Failures(inARow, now.plus(delay(inARow))));
    }

    /** {@code modelId}'s server became ready: its failures are forgotten. */
    public synchronized void ready(String modelId) {
        failures.remove(modelId);
    }

    /** When requests for {@code modelId} may try a start again, if that is after {@code now}. */
    public synchronized Optional<Instant> until(String modelId, Instant now) {
        Failures f = failures.get(modelId);
        return f != null && f.until().isAfter(now) ? Optional.of(f.until()) : Optional.empty();
    }

    /** The back-off after {@code inARow} failures in a row: the first delay, doubled each time, capped. */
    Duration delay(int inARow) {
        Duration delay = firstDelay;
        for (int i = 1; i < inARow && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}
