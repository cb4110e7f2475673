package dev.magi.jaxrs.metrics;

import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.RequestLog;
import dev.magi.core.gateway.RequestRecord;
import dev.magi.spi.MagiException;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /api/gateway/requests?tail=N}: the last requests through the gateway, newest last. */
@Path("api/gateway/requests")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public final class GatewayRequestsResource {
    private final MagiEngine engine;

    @Inject
    public GatewayRequestsResource(MagiEngine engine) {
        this.engine = engine;
    }

    @GET
    public Map<String, Object> requests(@QueryParam("tail") @DefaultValue("100") String tail) {
        List<RequestRecord> requests = engine.gateway().requests().tail(parseTail(tail));
        return Map.of("requests", requests.stream().map(GatewayRequestsResource::json).toList());
    }

    /** Field by field, so that tiers and routes read as the names the gateway's headers use. */
    private static Map<String, Object> json(RequestRecord request) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("time", request.time().toString());
        json.put("asked", request.asked());
        json.put("model", request.modelId());
        json.put("tier", request.tier() == null ? null : request.tier().wireName());
        json.put("route", request.route() == null ? null : request.route().wireName());
        json.put("status", request.status());
        json.put("queueMs", request.queueMs());
        json.put("loadMs", request.loadMs());
        json.put("totalMs", request.totalMs());
        json.put("firstByteMs", request.firstByteMs());
        json.put("promptTokens", request.promptTokens());
        json.put("completionTokens", request.completionTokens());
        return json;
    }

    private static int parseTail(String tail) {
        int n;
        try {
            n = Integer.parseInt(tail.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > RequestLog.CAPACITY) {
            throw MagiException.invalidRequest("tail must be a whole number from 1 to " + RequestLog.CAPACITY,
                    "tail");
        }
        return n;
    }
}
