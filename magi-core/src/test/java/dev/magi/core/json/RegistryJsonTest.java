package dev.magi.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.Tier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The registry's JSON bytes")
class RegistryJsonTest {

    private static String generated(RegistrySnapshot registry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = new JsonFactory().createGenerator(out)) {
            RegistryJson.writeRegistry(registry, gen);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String bytes(RegistrySnapshot registry) {
        return new String(RegistryJson.bytes(registry), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("are the generator's document, for an empty registry and after changes that reuse entries")
    void sameDocument() throws IOException {
        RegistrySnapshot empty = RegistrySnapshot.empty("/models");
        assertThat(bytes(empty)).isEqualTo(generated(empty));

        Map<String, DiscoveredModel> models = new LinkedHashMap<>();
        for (String id : new String[]{"a-1b", "ünïcode-\"quoted\"-模型", "c-3b"}) {
            models.put(id, DiscoveredModel.builder(id, "/models/" + id + ".gguf", id + ".gguf").sizeParams(1.5).build());
        }
        RegistrySnapshot first = new RegistrySnapshot(models, "/models", Instant.parse("2026-11-26T12:00:00Z"), null, null);
        assertThat(bytes(first)).isEqualTo(generated(first));
        assertThat(RegistryJson.bytes(first)).isSameAs(RegistryJson.bytes(first));

        models.put("c-3b", models.get("c-3b").toBuilder().tierOverride(Tier.POWERFUL).build());
        models.remove("a-1b");
        RegistrySnapshot second = new RegistrySnapshot(models, "/other", null, null, null);
        assertThat(bytes(second)).isEqualTo(generated(second)).contains("\"tierOverride\":\"powerful\"");
    }
}
