package dev.magi.examples.embeddedhost;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** The host application's own resource, served by the same Jersey as the MAGI API. */
@Path("hello")
@Produces(MediaType.APPLICATION_JSON)
public class HelloResource {

    @GET
    public Map<String, String> hello() {
        return Map.of("greeting", "Hello from the host application");
    }
}
