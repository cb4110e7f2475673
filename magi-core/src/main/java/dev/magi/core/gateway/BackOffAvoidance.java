package dev.magi.core.gateway;

import java.util.List;
import java.util.function.Predicate;

/**
 * A tier's candidates without those in back-off (a crashed server waiting for its restart, or a
 * model whose start failed), so the balancer sends a request to one that can serve it: started,
 * queued on or used. When every candidate is in back-off, all are kept, and the one chosen refuses
 * the request with {@code model_backoff} and when to ask again.
 */
final class BackOffAvoidance {
    private BackOffAvoidance() {
    }

    /** {@code candidates} in order, less those {@code inBackOff}; all of them when none would be left. */
    static List<String> servable(List<String> candidates, Predicate<String> inBackOff) {
        List<String> servable = candidates.stream().filter(inBackOff.negate()).toList();
        return servable.isEmpty() ? candidates : servable;
    }
}
