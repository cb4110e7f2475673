package dev.magi.core.gateway;

import dev.magi.spi.Tier;

import java.time.Instant;
import java.util.Objects;

/**
 * One request the gateway saw, as {@code GET /api/gateway/requests} lists it.
 *
 * @param time             when it arrived
 * @param asked            the {@code model} the client asked for
 * @param modelId          the model that served it; null when it was refused before one was chosen
 * @param tier             that model's tier; null when unknown
 * @param route            how the name led to the model; null when refused before routing
 * @param status           the HTTP status the client was given
 * @param queueMs          milliseconds waited for a slot, the server's start included
 * @param loadMs           of which spent on the server's start
 * @param totalMs          milliseconds from arrival to the answer's last byte
 * @param firstByteMs      milliseconds from arrival to the answer's first byte; null when none was sent
 * @param promptTokens     from the answer's {@code usage} or {@code timings}; null when it had neither
 * @param completionTokens likewise
 */
public record RequestRecord(Instant time, String asked, String modelId, Tier tier, Route route, int status,
                            long queueMs, long loadMs, long totalMs, Long firstByteMs, Long promptTokens,
                            Long completionTokens) {
    /**
     * How much of the asked name a record keeps: a name is short, and a client that sends megabytes as
     * its {@code model} must not make the request log hold them.
     */
    public static final int MAX_ASKED_CHARS = 256;

    public RequestRecord {
        Objects.requireNonNull(time, "time");
        asked = asked == null ? "" : asked.length() <= MAX_ASKED_CHARS ? asked
                : asked.substring(0, MAX_ASKED_CHARS) + "...";
    }
}
