package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.Lease;

import java.util.Locale;

/** The {@code X-MAGI-*} headers of every answer: which model served it, as which tier, by which route, after what waits. */
final class GatewayHeaders {
    private GatewayHeaders() {
    }

    static void add(AnswerHeaders headers, Lease lease) {
        headers.set("X-MAGI-Model", lease.modelId())
                .set("X-MAGI-Tier", lease.tier().wireName())
                .set("X-MAGI-Route", lease.route().wireName())
                .set("X-MAGI-Queue-Ms", lease.queueMs())
                .set("X-MAGI-Load-Ms", lease.loadMs());
        if (lease.score() != null) {
            headers.set("X-MAGI-Score", String.format(Locale.ROOT, "%.4f", lease.score()));
        }
    }
}
