package dev.magi.core.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway did something the page shows: started a server on demand ({@code started}), unloaded
 * one ({@code unloaded}, with its reason), or a model's queue changed length ({@code queue}, at most a
 * few times a second per model, however many requests come).
 *
 * @param kind    {@code started}, {@code unloaded} or {@code queue}
 * @param modelId the model concerned
 * @param reason  why it started ({@code on_demand}) or was unloaded ({@code idle}, {@code evicted}, {@code hung});
 *                null for a queue change
 * @param queued  requests waiting for the model now; null unless {@code kind} is {@code queue}
 */
public record GatewayChanged(String kind, String modelId, String reason, Integer queued) implements MagiEvent {

    public GatewayChanged {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(modelId, "modelId");
    }

    @Override
    public String type() {
        return "gateway";
    }

    @Override
    public Object data() {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kind", kind);
        data.put("modelId", modelId);
        if (reason != null) {
            data.put("reason", reason);
        }
        if (queued != null) {
            data.put("queued", queued);
        }
        return data;
    }
}
