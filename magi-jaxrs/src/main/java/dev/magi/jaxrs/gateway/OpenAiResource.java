package dev.magi.jaxrs.gateway;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * Any path under {@code /v1} that is not served: 404 in OpenAI's shape. The inference endpoints are
 * {@link GatewayServlet}'s, the model list {@link ModelListResource}'s.
 */
@Path("v1")
public final class OpenAiResource {
    @Context
    private UriInfo uriInfo;

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
