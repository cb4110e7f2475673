package dev.magi.jaxrs.resources;

import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/models/health/ready}: 200 when every started server is ready (none started counts
 * as ready), else 503 naming the servers that are not. Needs no API key, like {@code /health}.
 */
@Path("api/models/health/ready")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
public final class ReadinessResource {
    private final MagiEngine engine;

    @Inject
    public ReadinessResource(MagiEngine engine) {
        this.engine = engine;
    }

    @GET
    public Response ready() {
        List<ServerStatus> servers = engine.supervisor().servers();
        List<String> notReady = new ArrayList<>();
        int ready = 0;
        for (ServerStatus server : servers) {
            if (server.isReady()) {
                ready++;
            } else if (server.state() != ServerState.STOPPED) {
                notReady.add(server.modelId() + " (" + server.state() + ")");
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", notReady.isEmpty() ? "ready" : "not_ready");
        body.put("servers", ready);
        if (!notReady.isEmpty()) {
            body.put("notReady", notReady);
        }
        return Response.status(notReady.isEmpty() ? 200 : 503).entity(body).build();
    }
}
