package dev.magi.jaxrs.gateway;

import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import dev.magi.core.gateway.ListedModel;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models}: what a client may send as {@code model}, in OpenAI's list shape, each with
 * MAGI's own facts under {@code magi}; the tiers with candidates and {@code auto} are marked
 * {@code magi.virtual: true}.
 */
@Path("v1/models")
@Produces(MediaType.APPLICATION_JSON)
public final class ModelListResource {
    @Inject
    private MagiEngine engine;

    @GET
    public Map<String, Object> list() {
        List<Map<String, Object>> data = new ArrayList<>();
        for (ListedModel model : engine.gateway().models()) {
            data.add(entry(model));
        }
        Map<String, Object> list = new LinkedHashMap<>();
        list.put("object", "list");
        list.put("data", data);
        return list;
    }

    @GET
    @Path("{id}")
    public Map<String, Object> one(@PathParam("id") String id) {
        for (ListedModel model : engine.gateway().models()) {
            if (model.id().equals(id) || (model.virtual() && model.id().equalsIgnoreCase(id))) {
                return entry(model);
            }
        }
        throw new GatewayException(GatewayError.MODEL_NOT_FOUND, "The model '" + id.replaceAll("\\p{Cntrl}", "?")
                + "' does not exist", "model", null);
    }

    private static Map<String, Object> entry(ListedModel model) {
        Map<String, Object> magi = new LinkedHashMap<>();
        magi.put("virtual", model.virtual());
        magi.put("tier", model.tier() == null ? null : model.tier().wireName());
        magi.put("state", model.state() == null ? null : model.state().wireName());
        magi.put("enabled", model.enabled());
        magi.put("estimatedMemoryBytes", model.estimatedMemoryBytes());
        magi.put("contextLength", model.contextLength());
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", model.id());
        entry.put("object", "model");
        entry.put("created", model.created());
        entry.put("owned_by", "magi");
        entry.put("magi", magi);
        return entry;
    }
}
