package dev.magi.jaxrs.gateway;

import dev.magi.core.engine.MagiEngine;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.io.IOException;
import java.io.InputStream;

/** OpenAI's inference endpoints under {@code /v1}; any other path there is 404 in OpenAI's shape. */
@Path("v1")
public final class OpenAiResource {
    @Inject
    private MagiEngine engine;
    @Context
    private HttpHeaders headers;
    @Context
    private UriInfo uriInfo;

    @POST
    @Path("chat/completions")
    public void chat(InputStream body, @Suspended AsyncResponse async) throws IOException {
        Inference.serve(engine, "v1/chat/completions", headers, body, async);
    }

    @POST
    @Path("completions")
    public void completions(InputStream body, @Suspended AsyncResponse async) throws IOException {
        Inference.serve(engine, "v1/completions", headers, body, async);
    }

    @POST
    @Path("embeddings")
    public void embeddings(InputStream body, @Suspended AsyncResponse async) throws IOException {
        Inference.serve(engine, "v1/embeddings", headers, body, async);
    }

    @POST
    @Path("rerank")
    public void rerank(InputStream body, @Suspended AsyncResponse async) throws IOException {
        Inference.serve(engine, "v1/rerank", headers, body, async);
    }

    @GET
    @Path("{rest: .*}")
    public Response unknownGet() {
        return unknown();
    }

    @POST
    @Path("{rest: .*}")
    public Response unknownPost() {
        return unknown();
    }

    @PUT
    @Path("{rest: .*}")
    public Response unknownPut() {
        return unknown();
    }

    @DELETE
    @Path("{rest: .*}")
    public Response unknownDelete() {
        return unknown();
    }

    private Response unknown() {
        String path = ("/" + uriInfo.getPath()).replaceAll("\\p{Cntrl}", "?");
        return OpenAiErrors.response(404, "invalid_request_error", "unknown_url", "Unknown request URL: " + path
                + "; the gateway serves /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/rerank and"
                + " /v1/models");
    }
}
