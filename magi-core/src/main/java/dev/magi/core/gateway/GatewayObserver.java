package dev.magi.core.gateway;

/**
 * What the gateway tells whoever watches it: requests that ended, servers it started on demand,
 * servers unloaded and why. Every method does nothing by default, so a watcher (the request log,
 * the metrics of the HTTP layer) overrides only what it counts. Called on the gateway's threads:
 * implementations must be quick and must not throw.
 */
public interface GatewayObserver {

    /** A request through the gateway ended, answered or refused. */
    default void requestEnded(RequestRecord request) {
    }

    /** The gateway started {@code modelId}'s server because a request asked for it. */
    default void startedOnDemand(String modelId) {
    }

    /**
     * {@code modelId}'s start waits for memory: busy servers hold the room it needs within the memory
     * budget (or the limit of servers loaded at once); it is planned again once a server is idle or stopped.
     */
    default void waitingForMemory(String modelId) {
    }

    /** {@code modelId}'s server was unloaded; {@code reason} is {@code idle}, {@code evicted} or {@code hung}. */
    default void unloaded(String modelId, String reason) {
    }
}
