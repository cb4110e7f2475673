package dev.magi.jaxrs.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.profile.ProfileActivator;
import dev.magi.core.profile.ProfileService;
import dev.magi.core.profile.format.ProfileYaml;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Profiles under {@code /api/models/profiles}. */
@Path("api/models/profiles")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class ProfilesResource {
    private static final ObjectMapper PLAIN = new ObjectMapper();

    private final ProfileService profiles;
    private final ProfileActivator activator;

    @Inject
    public ProfilesResource(MagiEngine engine) {
        this.profiles = engine.profiles();
        this.activator = engine.activator();
    }

    @GET
    public List<String> names() {
        return profiles.names();
    }

    @GET
    @Path("active")
    public Map<String, Object> active() {
        return Collections.singletonMap("profileName", profiles.active().orElse(null));
    }

    @GET
    @Path("{name}")
    public ModelProfile get(@PathParam("name") String name) {
        return profiles.get(name);
    }

    @POST
    public Response create(JsonNode body, @Context UriInfo uri) {
        ModelProfile profile = read(body, null);
        ProfileService.SaveResult result = profiles.create(profile);
        return Response.created(uri.getAbsolutePathBuilder().path(result.profileName()).build())
                .entity(Bodies.success("Profile '" + result.profileName() + "' created",
                        "profileName", result.profileName(), "unknownModels", result.unknownModels()))
                .build();
    }

    @POST
    @Path("{name}/activate")
    public Map<String, Object> activate(@PathParam("name") String name) {
        ProfileActivator.Result result = activator.activate(name);
        return Bodies.success("Profile '" + name + "' activated", "profileName", name,
                "started", result.started(), "stopped", result.stopped(), "failed", result.failed(),
                "unknownModels", result.unknownModels());
    }

    @PUT
    @Path("{name}")
    public Map<String, Object> replace(@PathParam("name") String name, JsonNode body) {
        ModelProfile.requireValidName(name);
        ModelProfile profile = read(body, name);
        ProfileService.SaveResult result = profiles.replace(name, profile);
        return Bodies.success("Profile '" + name + "' saved",
                "profileName", result.profileName(), "unknownModels", result.unknownModels());
    }

    @DELETE
    @Path("{name}")
    public Map<String, Object> delete(@PathParam("name") String name) {
        profiles.delete(name);
        return Bodies.success("Profile '" + name + "' deleted", "profileName", name);
    }

    /**
     * A profile from a JSON body, through the same rules as a YAML file. On PUT the path names the
     * profile; a body that names another one is refused rather than silently renamed.
     */
    private static ModelProfile read(JsonNode body, String pathName) {
        Bodies.object(body);
        JsonNode ownName = body.get("name");
        if (pathName == null && (ownName == null || ownName.isNull())) {
            throw new MagiException(ErrorCode.INVALID_PROFILE, "Missing field 'name'", Map.of("field", "name"));
        }
        if (ownName != null && !ownName.isNull()) {
            if (!ownName.isTextual()) {
                throw new MagiException(ErrorCode.INVALID_PROFILE, "Field 'name' must be a string",
                        Map.of("field", "name"));
            }
            ModelProfile.requireValidName(ownName.textValue());
            if (pathName != null && !pathName.equals(ownName.textValue())) {
                throw new MagiException(ErrorCode.INVALID_PROFILE, "The body names profile '" + ownName.textValue()
                        + "' but the path names '" + pathName + "'", Map.of("field", "name"));
            }
        }
        Object tree = PLAIN.convertValue(body, Object.class);
        return ProfileYaml.fromTree(tree, pathName);
    }
}
