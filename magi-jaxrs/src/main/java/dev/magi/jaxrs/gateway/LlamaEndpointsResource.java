package dev.magi.jaxrs.gateway;

import dev.magi.core.engine.MagiEngine;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;

import java.io.IOException;
import java.io.InputStream;

/**
 * llama-server's own endpoints at the root, as llama-server serves them, for clients written for it:
 * the body's {@code model} chooses the server.
 */
@Path("{endpoint: completion|infill|tokenize|detokenize|apply-template}")
public final class LlamaEndpointsResource {
    @Inject
    private MagiEngine engine;

    @POST
    public void serve(@PathParam("endpoint") String endpoint, @Context HttpHeaders headers, InputStream body,
                      @Suspended AsyncResponse async) throws IOException {
        Inference.serve(engine, endpoint, headers, body, async);
    }
}
