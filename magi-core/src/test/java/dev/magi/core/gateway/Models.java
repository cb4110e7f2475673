package dev.magi.core.gateway;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.Problem;
import dev.magi.spi.Tier;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Registry models made to order for the gateway's rules. */
final class Models {
    private Models() {
    }

    static DiscoveredModel model(String id, Tier tier, boolean enabled) {
        return DiscoveredModel.builder(id, "/models/" + id + ".gguf", id + ".gguf").assignedTier(tier)
                .enabled(enabled).metadataSource(MetadataSource.GGUF).build();
    }

    static DiscoveredModel broken(String id, Tier tier) {
        return model(id, tier, true).toBuilder().problems(List.of(Problem.missingPart(2, 3))).build();
    }

    static Map<String, DiscoveredModel> byId(DiscoveredModel... models) {
        Map<String, DiscoveredModel> byId = new LinkedHashMap<>();
        for (DiscoveredModel model : models) {
            byId.put(model.modelId(), model);
        }
        return byId;
    }
}
