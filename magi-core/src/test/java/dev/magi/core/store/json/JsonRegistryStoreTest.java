package dev.magi.core.store.json;

import dev.magi.core.util.AtomicFiles;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.PortRange;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.Tier;
import dev.magi.spi.TierThresholds;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The json store")
class JsonRegistryStoreTest {
    @TempDir
    Path dir;

    static RegistrySnapshot fullRegistry(String suffix) {
        DiscoveredModel model = DiscoveredModel.builder("qwen3-4b" + suffix, "/models/Qwen3-4B.gguf", "Qwen3-4B.gguf")
                .parts(List.of("/models/Qwen3-4B.gguf"))
                .fileSizeBytes(2_497_280_000L)
                .family("qwen").version("3").sizeParams(4.02).sizeLabel("4B").parameterCount(4_022_468_096L)
                .quantization("q4_k_m").architecture("qwen3").contextLength(40960L)
                .isThinkingModel(true).thinkingOverride(false).isInstruct(true).isCoder(false)
                .assignedTier(Tier.FAST).tierOverride(Tier.POWERFUL)
                .port(8081).portPinned(true).enabled(true)
                .nGpuLayers(99).ctxSize(8192).nThreads(6).batchSize(512)
                .mmprojPath("/models/mmproj-Qwen3-4B-f16.gguf").metadataSource(MetadataSource.GGUF)
                .displayName("Qwen3 4B «ünïcode» 模型").problems(List.of("a problem"))
                .build();
        DiscoveredModel bare = DiscoveredModel.builder("bare", "/models/bare.gguf", "bare.gguf").build();
        return new RegistrySnapshot(Map.of(model.modelId(), model, "bare", bare), "/models",
                Instant.parse("2026-11-26T12:00:00.123456Z"), new PortRange(9000, 9010), new TierThresholds(20.5, 3));
    }

    @Test
    @DisplayName("saves and loads every field, nulls included")
    void roundTrip() {
        JsonRegistryStore store = new JsonRegistryStore(dir.resolve("data/model_registry.json"), dir);
        RegistrySnapshot registry = fullRegistry("");
        store.saveRegistry(registry);
        assertThat(new JsonRegistryStore(dir.resolve("data/model_registry.json"), dir).loadRegistry()).contains(registry);
    }

    @Test
    @DisplayName("holds nothing before the first save")
    void empty() {
        assertThat(new JsonRegistryStore(dir.resolve("none.json"), dir).loadRegistry()).isEmpty();
    }

    @Test
    @DisplayName("moves a file it cannot parse aside, keeps it, and falls back to the last good copy")
    void corruptFile() throws IOException {
        Path file = dir.resolve("model_registry.json");
        JsonRegistryStore store = new JsonRegistryStore(file, dir);
        store.saveRegistry(fullRegistry("-old"));
        store.saveRegistry(fullRegistry("-new"));
        Files.writeString(file, "{\"models\": {\"x\": ");

        RegistrySnapshot loaded = store.loadRegistry().orElseThrow();

        assertThat(loaded.models()).containsKey("qwen3-4b-old");
        try (var files = Files.list(dir)) {
            List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("model_registry.json.corrupt-"))
                    .toList();
            assertThat(aside).hasSize(1);
            assertThat(Files.readString(aside.get(0))).isEqualTo("{\"models\": {\"x\": ");
        }
    }

    @Test
    @DisplayName("moves aside a file of the wrong shape and answers no registry when there is no good copy")
    void wrongShape() throws IOException {
        Path file = dir.resolve("model_registry.json");
        Files.writeString(file, "[1, 2, 3]");
        assertThat(new JsonRegistryStore(file, dir).loadRegistry()).isEmpty();
        assertThat(file).doesNotExist();
    }

    @Test
    @DisplayName("a write that fails half-way leaves the old registry and no temporary file")
    void tornWrite() throws IOException {
        Path file = dir.resolve("model_registry.json");
        new JsonRegistryStore(file, dir).saveRegistry(fullRegistry("-old"));
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> AtomicFiles.write(file, out -> {
            out.write("{\"models\": {".getBytes());
            throw new IOException("disk full");
        })).hasMessage("disk full");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
        }
    }
}
