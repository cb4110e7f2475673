package dev.magi.core.supervision;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import java.time.Instant;

/**
 * Who asked for a server to run and how long it is kept: what idle unload decides with. The
 * supervisor does not know it; the gateway fills it in for {@code GET /servers}.
 *
 * @param startedBy     {@code api}, {@code profile} or {@code gateway}; null when the server is stopped
 * @param pinned        started (or started again) through the API or a profile: never unloaded for idleness
 * @param lastRequestAt when the gateway last received a request for it; null if never
 * @param idleExpiresAt when idle unload will stop it if no request comes; null when it is pinned, busy,
 *                      its TTL is 0, or it is not running
 */
public record ServerRetention(String startedBy, boolean pinned,
                              @JsonSerialize(using = ToStringSerializer.class) Instant lastRequestAt,
                              @JsonSerialize(using = ToStringSerializer.class) Instant idleExpiresAt) {
    /** A server the gateway knows nothing of. */
    public static final ServerRetention NONE = new ServerRetention(null, false, null, null);
}
