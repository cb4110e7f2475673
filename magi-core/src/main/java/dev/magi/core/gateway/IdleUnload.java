package dev.magi.core.gateway;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Which servers the gateway started on demand have been idle long enough to stop: no request in
 * flight or queued for {@code --idle-ttl} (a model's {@code ttlSeconds} overrides it, 0 = never).
 * A pinned server (started through the API or by a profile) is never stopped for idleness.
 */
public final class IdleUnload {
    private final Duration defaultTtl;

    /** @param defaultTtl {@code --idle-ttl}; zero means never */
    public IdleUnload(Duration defaultTtl) {
        if (defaultTtl.isNegative()) {
            throw new IllegalArgumentException("idle TTL must not be negative");
        }
        this.defaultTtl = defaultTtl;
    }

    /**
     * What the rule knows of one running server.
     *
     * @param modelId    the model
     * @param pinned     started through the API or a profile
     * @param busy       a request in flight or queued
     * @param lastUsed   when its last request ended, or when it became ready
     * @param ttlSeconds the model's own {@code ttlSeconds}, null to follow {@code --idle-ttl}
     */
    public record Server(String modelId, boolean pinned, boolean busy, Instant lastUsed, Integer ttlSeconds) {
    }

    /** When {@code server} stops if nothing happens, or empty when it never does (pinned, busy, TTL 0). */
    public Optional<Instant> expiresAt(Server server) {
        Duration ttl = server.ttlSeconds() == null ? defaultTtl : Duration.ofSeconds(server.ttlSeconds());
        if (server.pinned() || server.busy() || ttl.isZero() || ttl.isNegative()) {
            return Optional.empty();
        }
        return Optional.of(server.lastUsed().plus(ttl));
    }

    /** The servers to stop at {@code now}, the longest idle first. */
    public List<String> due(Collection<Server> servers, Instant now) {
        List<Server> due = new ArrayList<>();
        for (Server server : servers) {
            Optional<Instant> expires = expiresAt(server);
            if (expires.isPresent() && !expires.get().isAfter(now)) {
                due.add(server);
            }
        }
        due.sort((a, b) -> a.lastUsed().compareTo(b.lastUsed()));
        return due.stream().map(Server::modelId).toList();
    }
}
