package dev.magi.jaxrs.supervision;

import dev.magi.jaxrs.streams.EventStreams;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A resource only the tests have: how many event streams the API holds open now. */
@Path("api/test-only/open-streams")
@Produces(MediaType.APPLICATION_JSON)
public class OpenStreamsResource {
    static final String PATH = "/api/test-only/open-streams";

    private final EventStreams streams;

    @Inject
    public OpenStreamsResource(EventStreams streams) {
        this.streams = streams;
    }

    @GET
    public int openStreams() {
        return streams.openCount();
    }
}
