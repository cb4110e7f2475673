package dev.magi.jaxrs.resources;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

import java.util.Map;

/**
 * Answers every path under {@code /api} that no resource claims with the API's 404 body, whatever
 * the method. Resource classes with longer literal paths win, so a known path with a wrong method
 * still gets 405.
 */
@Path("api/{rest: .*}")
@Produces(MediaType.APPLICATION_JSON)
public final class UnknownPathResource {
    @Context
    private UriInfo uriInfo;

    @GET
    public Object get() {
        throw notFound();
    }

    @POST
    public Object post() {
        throw notFound();
    }

    @PUT
    public Object put() {
        throw notFound();
    }

    @DELETE
    public Object delete() {
        throw notFound();
    }

    @PATCH
    public Object patch() {
        throw notFound();
    }

    @HEAD
    public Object head() {
        throw notFound();
    }

    @OPTIONS
    public Object options() {
        throw notFound();
    }

    private MagiException notFound() {
        String path = "/" + uriInfo.getPath();
        return new MagiException(ErrorCode.NOT_FOUND, "No resource at " + path, Map.of("path", path));
    }
}
