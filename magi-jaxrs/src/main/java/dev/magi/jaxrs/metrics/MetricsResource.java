package dev.magi.jaxrs.metrics;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;

/** {@code GET /metrics}: Prometheus' text format, version 0.0.4, which every scraper reads. */
@Path("metrics")
@Singleton
public final class MetricsResource {
    private final GatewayMeters meters;

    @Inject
    public MetricsResource(GatewayMeters meters) {
        this.meters = meters;
    }

    @GET
    @Produces("text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        return meters.scrape();
    }
}
