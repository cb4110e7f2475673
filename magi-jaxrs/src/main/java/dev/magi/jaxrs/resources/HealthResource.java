package dev.magi.jaxrs.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** {@code GET /health}: 200 while the process runs, for load balancers and service managers. */
@Path("health")
@Produces(MediaType.APPLICATION_JSON)
public final class HealthResource {

    @GET
    public Map<String, String> health() {
        return Map.of("status", "ok");
    }
}
