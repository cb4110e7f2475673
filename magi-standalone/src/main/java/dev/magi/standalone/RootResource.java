package dev.magi.standalone;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /}: until the WebUI is served here, a small JSON signpost to the API, so that opening
 * the address in a browser shows where to go instead of an error.
 */
@Path("")
@Produces(MediaType.APPLICATION_JSON)
public final class RootResource {

    @GET
    public Map<String, Object> index() {
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("registry", "/api/models/registry");
        links.put("profiles", "/api/models/profiles");
        links.put("health", "/health");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "MAGI");
        body.put("version", CommandLineSettings.version());
        body.put("links", links);
        return body;
    }
}
