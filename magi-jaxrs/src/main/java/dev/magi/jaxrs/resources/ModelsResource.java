package dev.magi.jaxrs.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.core.registry.RescanSummary;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.PortRange;
import dev.magi.spi.RuntimeSettings;
import dev.magi.spi.Tier;
import dev.magi.spi.TierThresholds;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The registry under {@code /api/models}: read it, rescan, and change what the user may change. */
@Path("api/models")
@Singleton
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class ModelsResource {
    /** The numeric runtime settings, in the order of {@link RuntimeSettings}'s components. */
    private static final List<String> NUMBERS = List.of("nGpuLayers", "ctxSize", "nThreads", "batchSize",
            "ttlSeconds", "gpus", "cpus");
    private static final List<String> RUNTIME_SETTINGS = List.of("nGpuLayers", "ctxSize", "nThreads", "batchSize",
            "ttlSeconds", "extraArgs", "env", "gpus", "cpus");

    private final MagiEngine engine;
    private final ModelRegistry registry;

    @Inject
    public ModelsResource(MagiEngine engine) {
        this.engine = engine;
        this.registry = engine.registry();
    }

    /** The registry's bytes are kept per snapshot, so reads between two changes cost no serialization. */
    @GET
    @Path("registry")
    public Response registry() {
        return Response.ok(registry.snapshotJson(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    @POST
    @Path("rescan")
    public Map<String, Object> rescan() {
        RescanSummary summary = engine.rescan();
        return Bodies.success(summary.message(),
                "modelsFound", summary.modelsFound(),
                "modelsAdded", summary.modelsAdded(),
                "modelsRemoved", summary.modelsRemoved(),
                "skipped", summary.skipped(),
                "scanPath", registry.snapshot().scanPath(),
                "scanPathExists", summary.scanPathExists(),
                "durationMs", summary.durationMs());
    }

    @GET
    @Path("{id}")
    public DiscoveredModel model(@PathParam("id") String id) {
        return registry.require(id);
    }

    @PUT
    @Path("{id}/tier")
    public Map<String, Object> tier(@PathParam("id") String id, JsonNode body) {
        registry.require(id);
        String text = Bodies.textOrNull(Bodies.required(Bodies.object(body), "tier"), "tier");
        Tier tier = text == null ? null : Tier.parse(text);
        DiscoveredModel model = registry.setTierOverride(id, tier);
        return Bodies.success(tier == null
                        ? "Tier override of '" + id + "' cleared; tier is " + model.effectiveTier().wireName()
                        : "Tier of '" + id + "' set to " + tier.wireName(),
                "modelId", id, "tier", model.effectiveTier().wireName(), "override", model.tierOverride() != null);
    }

    @PUT
    @Path("{id}/aliases")
    public DiscoveredModel aliases(@PathParam("id") String id, JsonNode body) {
        registry.require(id);
        JsonNode aliases = Bodies.required(Bodies.object(body), "aliases");
        List<String> names = Bodies.textListOrNull(aliases, "aliases");
        return registry.setAliases(id, names == null ? List.of() : names);
    }

    @PUT
    @Path("{id}/thinking")
    public Map<String, Object> thinking(@PathParam("id") String id, JsonNode body) {
        registry.require(id);
        Boolean thinking = Bodies.booleanOrNull(Bodies.required(Bodies.object(body), "thinking"), "thinking");
        DiscoveredModel model = registry.setThinkingOverride(id, thinking);
        return Bodies.success(thinking == null
                        ? "Thinking override of '" + id + "' cleared"
                        : "Thinking of '" + id + "' set to " + thinking,
                "modelId", id, "thinking", model.effectiveThinking(), "override", model.thinkingOverride() != null);
    }

    @PUT
    @Path("{id}/enabled")
    public Map<String, Object> enabled(@PathParam("id") String id, JsonNode body) {
        registry.require(id);
        JsonNode value = Bodies.required(Bodies.object(body), "enabled");
        if (!value.isBoolean()) {
            // Unlike tier and thinking, enabled has no "cleared" state: null is not offered.
            throw Bodies.wrongType("enabled", "true or false");
        }
        boolean enabled = value.booleanValue();
        DiscoveredModel model = registry.setEnabled(id, enabled);
        return Bodies.success("Model '" + id + "' " + (enabled ? "enabled" : "disabled"),
                "modelId", id, "enabled", model.enabled());
    }

    @PUT
    @Path("{id}/port")
    public Map<String, Object> port(@PathParam("id") String id, JsonNode body) {
        registry.require(id);
        Integer port = Bodies.integerOrNull(Bodies.required(Bodies.object(body), "port"), "port");
        DiscoveredModel model = registry.setPort(id, port);
        // What counts is the port the server listens on, not the one the model had before this change.
        boolean restartRequired = engine.supervisor().server(id)
                .filter(server -> server.isRunning() && !Objects.equals(server.port(), model.port()))
                .isPresent();
        return Bodies.success(port == null ? "Port of '" + id + "' unpinned" : "Port of '" + id + "' set to " + port,
                "modelId", id, "port", model.port(), "restartRequired", restartRequired);
    }

    @PUT
    @Path("{id}/runtime-settings")
    public DiscoveredModel runtimeSettings(@PathParam("id") String id, JsonNode body) {
        registry.require(id);
        ObjectNode patch = Bodies.object(body);
        for (var names = patch.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!RUNTIME_SETTINGS.contains(field)) {
                throw MagiException.invalidRequest("Unknown runtime setting '" + field
                        + "': expected one of " + String.join(", ", RUNTIME_SETTINGS), field);
            }
        }
        // Read everything before changing anything: a bad field must not leave a partial update.
        Integer[] numbers = new Integer[NUMBERS.size()];
        for (int i = 0; i < NUMBERS.size(); i++) {
            if (patch.has(NUMBERS.get(i))) {
                numbers[i] = Bodies.integerOrNull(patch.get(NUMBERS.get(i)), NUMBERS.get(i));
            }
        }
        List<String> extraArgs = patch.has("extraArgs") ? Bodies.textListOrNull(patch.get("extraArgs"), "extraArgs")
                : null;
        Map<String, String> env = patch.has("env") ? Bodies.textMapOrNull(patch.get("env"), "env") : null;
        return registry.updateRuntimeSettings(id, current -> new RuntimeSettings(
                patch.has(NUMBERS.get(0)) ? numbers[0] : current.nGpuLayers(),
                patch.has(NUMBERS.get(1)) ? numbers[1] : current.ctxSize(),
                patch.has(NUMBERS.get(2)) ? numbers[2] : current.nThreads(),
                patch.has(NUMBERS.get(3)) ? numbers[3] : current.batchSize(),
                patch.has(NUMBERS.get(4)) ? numbers[4] : current.ttlSeconds(),
                patch.has("extraArgs") ? extraArgs : current.extraArgs(),
                patch.has("env") ? env : current.env(),
                patch.has(NUMBERS.get(5)) ? numbers[5] : current.gpus(),
                patch.has(NUMBERS.get(6)) ? numbers[6] : current.cpus()));
    }

    @PUT
    @Path("port-range")
    public Map<String, Object> portRange(JsonNode body) {
        ObjectNode range = Bodies.object(body);
        int start;
        int end;
        try {
            start = Bodies.integer(Bodies.required(range, "start"), "start");
            end = Bodies.integer(Bodies.required(range, "end"), "end");
        } catch (MagiException e) {
            throw new MagiException(ErrorCode.INVALID_PORT_RANGE, e.getMessage(), e.details());
        }
        PortRange applied = registry.setPortRange(new PortRange(start, end));
        return Bodies.success("Port range set to " + applied, "portRange", List.of(applied.start(), applied.end()));
    }

    @PUT
    @Path("tier-thresholds")
    public Map<String, Object> tierThresholds(JsonNode body) {
        ObjectNode thresholds = Bodies.object(body);
        TierThresholds current = registry.snapshot().tierThresholds();
        double powerfulMin = thresholds.has("powerful_min")
                ? Bodies.number(thresholds.get("powerful_min"), "powerful_min") : current.powerfulMin();
        double fastMax = thresholds.has("fast_max")
                ? Bodies.number(thresholds.get("fast_max"), "fast_max") : current.fastMax();
        if (!thresholds.has("powerful_min") && !thresholds.has("fast_max")) {
            throw MagiException.invalidRequest("Give powerful_min, fast_max or both", null);
        }
        TierThresholds applied = registry.setTierThresholds(new TierThresholds(powerfulMin, fastMax));
        return Bodies.success("Tier thresholds set; every model was classified again",
                "powerful_min", applied.powerfulMin(), "fast_max", applied.fastMax());
    }

    @POST
    @Path("enable-all")
    public Map<String, Object> enableAll() {
        int updated = registry.setAllEnabled(true);
        return Bodies.success(updated + " models enabled", "modelsUpdated", updated, "enabled", true);
    }

    @POST
    @Path("disable-all")
    public Map<String, Object> disableAll() {
        int updated = registry.setAllEnabled(false);
        return Bodies.success(updated + " models disabled", "modelsUpdated", updated, "enabled", false);
    }

    @GET
    @Path("tiers/{tier}")
    public List<DiscoveredModel> tier(@PathParam("tier") String tier) {
        return registry.byTier(Tier.parse(tier));
    }
}
