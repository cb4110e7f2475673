package dev.magi.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.Problem;
import dev.magi.spi.Problem.Kind;
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

    private final RegistryJsonCache cache = new RegistryJsonCache();

    private String bytes(RegistrySnapshot registry) {
        return new String(cache.bytes(registry), StandardCharsets.UTF_8);
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
        assertThat(cache.bytes(first)).isSameAs(cache.bytes(first));

        models.put("c-3b", models.get("c-3b").toBuilder().tierOverride(Tier.POWERFUL).build());
        models.remove("a-1b");
        RegistrySnapshot second = new RegistrySnapshot(models, "/other", null, null, null);
        assertThat(bytes(second)).isEqualTo(generated(second)).contains("\"tierOverride\":\"powerful\"");
    }

    @Test
    @DisplayName("are kept by each owner, so two owners in one JVM do not evict each other's bytes")
    void ownerEach() {
        RegistrySnapshot one = RegistrySnapshot.empty("/one");
        RegistrySnapshot two = RegistrySnapshot.empty("/two");
        RegistryJsonCache other = new RegistryJsonCache();
        byte[] first = cache.bytes(one);
        other.bytes(two);
        assertThat(cache.bytes(one)).isSameAs(first);
    }

    @Test
    @DisplayName("write problems as their messages, and a registry read back gives each problem its kind")
    void problems() throws IOException {
        String document = "{\"models\":{\"big\":{\"modelId\":\"big\",\"filePath\":\"/m/big-00001-of-00003.gguf\","
                + "\"problems\":[\"GGUF header unreadable (truncated); facts taken from the file name\","
                + "\"header of big-00003-of-00003.gguf unreadable: truncated\",\"missing part 2 of 3\","
                + "\"a note from another store\"]}}}";
        RegistrySnapshot registry = RegistryJson.readRegistry(RegistryJson.newMapper().readTree(document));
        DiscoveredModel big = registry.models().get("big");
        assertThat(big.problems()).containsExactly(
                Problem.unreadableHeader("truncated"),
                Problem.unreadablePartHeader("big-00003-of-00003.gguf", "truncated"),
                Problem.missingPart(2, 3),
                new Problem(Kind.OTHER, "a note from another store"));
        assertThat(big.isRunnable()).isFalse();
        assertThat(RegistryJson.newMapper().readTree(bytes(registry)).path("models").path("big").path("problems"))
                .isEqualTo(RegistryJson.newMapper().readTree(document).path("models").path("big").path("problems"));
    }

    @Test
    @DisplayName("read a model saved before extraArgs and env existed as having none, and write them always")
    void olderModelDocument() throws IOException {
        // The h2 store keeps each model as this document too, so its older rows need no migration.
        String document = "{\"models\":{\"old\":{\"modelId\":\"old\",\"filePath\":\"/m/old.gguf\","
                + "\"nGpuLayers\":33}}}";

        RegistrySnapshot registry = RegistryJson.readRegistry(RegistryJson.newMapper().readTree(document));

        DiscoveredModel old = registry.models().get("old");
        assertThat(old.nGpuLayers()).isEqualTo(33);
        assertThat(old.extraArgs()).isEmpty();
        assertThat(old.env()).isEmpty();
        assertThat(RegistryJson.newMapper().readTree(bytes(registry)).path("models").path("old").toString())
                .contains("\"extraArgs\":[]", "\"env\":{}");
    }
}
