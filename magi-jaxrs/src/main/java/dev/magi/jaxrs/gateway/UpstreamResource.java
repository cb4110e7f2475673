package dev.magi.jaxrs.gateway;

import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.Admission;
import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import dev.magi.core.gateway.Lease;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.UriInfo;

import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/**
 * {@code ANY /upstream/{id}/{path}}: one model's server as llama-server serves it, its web page,
 * {@code /props}, {@code /slots} and any endpoint, the request passed on unchanged. A GET or HEAD
 * reads a ready server without taking a slot and never starts one (a stopped model is 503
 * {@code model_not_running}); any other method is a request like those under {@code /v1}: it starts
 * the server on demand and waits in its queue for a slot.
 */
@Path("upstream/{id}{path: (/.*)?}")
public final class UpstreamResource {
    @Inject
    private MagiEngine engine;
    @Context
    private HttpHeaders headers;
    @Context
    private UriInfo uriInfo;
    @Context
    private Request request;

    @GET
    public void get(@PathParam("id") String id, @Suspended AsyncResponse async) {
        read(id, async);
    }

    @HEAD
    public void head(@PathParam("id") String id, @Suspended AsyncResponse async) {
        read(id, async);
    }

    @POST
    public void post(@PathParam("id") String id, InputStream body, @Suspended AsyncResponse async) {
        write(id, body, async);
    }

    @PUT
    public void put(@PathParam("id") String id, InputStream body, @Suspended AsyncResponse async) {
        write(id, body, async);
    }

    @PATCH
    public void patch(@PathParam("id") String id, InputStream body, @Suspended AsyncResponse async) {
        write(id, body, async);
    }

    @DELETE
    public void delete(@PathParam("id") String id, InputStream body, @Suspended AsyncResponse async) {
        write(id, body, async);
    }

    private void read(String id, AsyncResponse async) {
        String target = target();
        Lease lease = engine.gateway().readingLease(id);
        Inference.pass(CompletableFuture.completedFuture(lease), request.getMethod(), target, null, headers, async);
    }

    private void write(String id, InputStream body, AsyncResponse async) {
        String target = target();
        if (!engine.registry().snapshot().models().containsKey(id)) {
            // An alias or a tier is not a server: /upstream names one model by its id.
            throw new GatewayException(GatewayError.MODEL_NOT_FOUND, "No model has the id '"
                    + id.replaceAll("\\p{Cntrl}", "?") + "'", "model", null);
        }
        CompletableFuture<Lease> admitted = engine.gateway().admit(new Admission(id, null, null, false));
        Inference.pass(admitted, request.getMethod(), target, body, headers, async);
    }

    private String target() {
        return UpstreamPath.of(uriInfo.getPathParameters(false).getFirst("path"),
                uriInfo.getRequestUri().getRawQuery());
    }
}
