package dev.magi.core.gateway;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who started each running server, which decides whether it is pinned. The gateway's own starts
 * leave a server unpinned (idle unload may stop it); a start through the API or a profile pins it,
 * even when the server was already running because the gateway had started it: someone asked for it
 * to run, so it runs until someone stops it. A server that stops is forgotten.
 */
public final class ServerOrigins {
    private final Map<String, StartedBy> origins = new ConcurrentHashMap<>();

    /** The gateway starts {@code modelId}'s server; a server already pinned stays pinned. */
    public void startedByGateway(String modelId) {
        origins.putIfAbsent(modelId, StartedBy.GATEWAY);
    }

    /**
     * {@code modelId}'s server was started (or found running) through the API or a profile: pinned
     * from now on, whoever started it first.
     */
    public void startedThrough(String modelId, StartedBy by) {
        if (by == StartedBy.GATEWAY) {
            throw new IllegalArgumentException("the gateway's own starts do not pin a server");
        }
        origins.put(modelId, by);
    }

    /** {@code modelId}'s server stopped or failed: the next start says again who asked. */
    public void stopped(String modelId) {
        origins.remove(modelId);
    }

    /** Who started {@code modelId}'s running server; empty when it is not running, or nobody said. */
    public Optional<StartedBy> of(String modelId) {
        return Optional.ofNullable(origins.get(modelId));
    }

    /** Whether idle unload and eviction must leave {@code modelId}'s server alone. */
    public boolean pinned(String modelId) {
        StartedBy by = origins.get(modelId);
        return by != null && by != StartedBy.GATEWAY;
    }

    /** Whether the gateway started {@code modelId}'s server and nobody pinned it since. */
    public boolean unpinnedGatewayStart(String modelId) {
        return origins.get(modelId) == StartedBy.GATEWAY;
    }
}
