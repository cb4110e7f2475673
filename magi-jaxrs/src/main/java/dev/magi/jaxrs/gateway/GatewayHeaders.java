package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.Lease;
import jakarta.ws.rs.core.Response;

import java.util.Locale;

/** The {@code X-MAGI-*} headers of every answer: which model served it, as which tier, by which route, after what waits. */
final class GatewayHeaders {
    private GatewayHeaders() {
    }

    static void add(Response.ResponseBuilder response, Lease lease) {
        response.header("X-MAGI-Model", lease.modelId())
                .header("X-MAGI-Tier", lease.tier().wireName())
                .header("X-MAGI-Route", lease.route().wireName())
                .header("X-MAGI-Queue-Ms", lease.queueMs())
                .header("X-MAGI-Load-Ms", lease.loadMs());
        if (lease.score() != null) {
            response.header("X-MAGI-Score", String.format(Locale.ROOT, "%.4f", lease.score()));
        }
    }
}
