package dev.magi.core.registry;

import dev.magi.core.classify.SizeTierClassifier;
import dev.magi.core.discovery.ModelIds;
import dev.magi.core.discovery.ScanResult;
import dev.magi.core.store.json.JsonRegistryStore;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.PortRange;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RuntimeSettings;
import dev.magi.spi.Tier;
import dev.magi.spi.TierThresholds;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("The model registry")
class ModelRegistryTest {
    @TempDir
    Path dir;
    Path scanPath;
    JsonRegistryStore store;
    ModelRegistry registry;

    @BeforeEach
    void setUp() {
        scanPath = dir.resolve("models");
        store = new JsonRegistryStore(dir.resolve("data/model_registry.json"), dir.resolve("profiles"));
        registry = newRegistry();
    }

    private ModelRegistry newRegistry() {
        RegistrySnapshot initial = store.loadRegistry().orElse(RegistrySnapshot.empty(scanPath.toString()));
        return new ModelRegistry(store, new SizeTierClassifier(), initial);
    }

    private DiscoveredModel found(String relativePath, double sizeParams) {
        Path file = scanPath.resolve(relativePath);
        String name = file.getFileName().toString();
        String base = name.substring(0, name.length() - ".gguf".length());
        return DiscoveredModel.builder(ModelIds.fromBaseName(base), file.toString(), name)
                .sizeParams(sizeParams).fileSizeBytes(1000).build();
    }

    private RescanSummary scan(DiscoveredModel... models) {
        return registry.applyScan(new ScanResult(scanPath, true, List.of(models), List.of(), Duration.ZERO));
    }

    private static String sha8(String text) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest).substring(0, 8);
    }

    @Nested
    @DisplayName("ids")
    class Ids {
        @Test
        @DisplayName("come from the file name in lower case with other characters replaced by '-'")
        void fromFileName() {
            scan(found("Qwen3-4B-Q4_K_M.gguf", 4), found("odd name (copy)+1.gguf", 1));
            assertThat(registry.snapshot().models()).containsOnlyKeys("qwen3-4b-q4_k_m", "odd-name--copy--1");
        }

        @Test
        @DisplayName("a second file with a taken id gets the SHA-256 of its relative path as suffix")
        void collisionSuffix() throws Exception {
            scan(found("a/model.gguf", 4), found("b/model.gguf", 4));
            assertThat(registry.snapshot().models()).containsOnlyKeys("model", "model-" + sha8("b/model.gguf"));
        }

        @Test
        @DisplayName("never take the name of a fixed route under /api/models: such a file gets the hashed id")
        void reservedNames() throws Exception {
            scan(found("servers.gguf", 4), found("Registry.gguf", 4), found("a/events.gguf", 4),
                    found("tier-thresholds.gguf", 4), found("serverless.gguf", 4));
            assertThat(registry.snapshot().models()).containsOnlyKeys("servers-" + sha8("servers.gguf"),
                    "registry-" + sha8("Registry.gguf"), "events-" + sha8("a/events.gguf"),
                    "tier-thresholds-" + sha8("tier-thresholds.gguf"), "serverless");
        }

        @Test
        @DisplayName("never take a name the gateway reads as a tier or auto: such a file gets the hashed id")
        void virtualModelNames() throws Exception {
            scan(found("Fast.gguf", 4), found("auto.gguf", 4), found("powerful.gguf", 4), found("balanced.gguf", 4),
                    found("autonomous.gguf", 4));
            assertThat(registry.snapshot().models()).containsOnlyKeys("fast-" + sha8("Fast.gguf"),
                    "auto-" + sha8("auto.gguf"), "powerful-" + sha8("powerful.gguf"),
                    "balanced-" + sha8("balanced.gguf"), "autonomous");
        }

        @Test
        @DisplayName("stay with their path whatever appears later")
        void stablePerPath() throws Exception {
            scan(found("z/model.gguf", 4));
            // A file that sorts first appears: the old path keeps its id, the newcomer takes the suffix.
            scan(found("a/model.gguf", 4), found("z/model.gguf", 4));
            Map<String, DiscoveredModel> models = registry.snapshot().models();
            assertThat(models.get("model").filePath()).endsWith("z/model.gguf");
            assertThat(models.get("model-" + sha8("a/model.gguf")).filePath()).endsWith("a/model.gguf");
        }

        @Test
        @DisplayName("never contain the tier, so a threshold change keeps every override")
        void notTheTier() {
            scan(found("big-20b.gguf", 20), found("small-1b.gguf", 1));
            registry.setThinkingOverride("big-20b", true);
            registry.setTierThresholds(new TierThresholds(30, 0.5));
            DiscoveredModel big = registry.require("big-20b");
            assertThat(big.assignedTier()).isEqualTo(Tier.BALANCED);
            assertThat(big.thinkingOverride()).isTrue();
            assertThat(registry.require("small-1b").assignedTier()).isEqualTo(Tier.BALANCED);
        }
    }

    @Nested
    @DisplayName("rescans")
    class Rescans {
        @Test
        @DisplayName("list new models disabled, without a port, classified by size")
        void newModels() {
            RescanSummary summary = scan(found("tiny-1b.gguf", 1), found("mid-8b.gguf", 8), found("big-14b.gguf", 14));
            assertThat(summary.modelsAdded()).isEqualTo(3);
            assertThat(registry.snapshot().models().values()).allSatisfy(m -> {
                assertThat(m.enabled()).isFalse();
                assertThat(m.port()).isNull();
            });
            assertThat(registry.require("tiny-1b").assignedTier()).isEqualTo(Tier.FAST);
            assertThat(registry.require("mid-8b").assignedTier()).isEqualTo(Tier.BALANCED);
            assertThat(registry.require("big-14b").assignedTier()).isEqualTo(Tier.POWERFUL);
        }

        @Test
        @DisplayName("keep every override of a model whose file is still there, also after a restart")
        void keepOverrides() {
            scan(found("m-8b.gguf", 8), found("gone-1b.gguf", 1));
            registry.setTierOverride("m-8b", Tier.POWERFUL);
            registry.setThinkingOverride("m-8b", true);
            registry.setEnabled("m-8b", true);
            registry.setPort("m-8b", 9001);
            RuntimeSettings settings = new RuntimeSettings(33, 4096, 8, 512,
                    List.of("--jinja", "--cache-type-k", "q8_0"), Map.of("CUDA_VISIBLE_DEVICES", "1"));
            registry.updateRuntimeSettings("m-8b", s -> settings);

            RescanSummary summary = scan(found("m-8b.gguf", 8));
            registry = newRegistry();
            DiscoveredModel m = registry.require("m-8b");

            assertThat(summary.modelsRemoved()).isEqualTo(1);
            assertThat(m.tierOverride()).isEqualTo(Tier.POWERFUL);
            assertThat(m.effectiveTier()).isEqualTo(Tier.POWERFUL);
            assertThat(m.assignedTier()).isEqualTo(Tier.BALANCED);
            assertThat(m.thinkingOverride()).isTrue();
            assertThat(m.enabled()).isTrue();
            assertThat(m.port()).isEqualTo(9001);
            assertThat(m.portPinned()).isTrue();
            assertThat(m.runtimeSettings()).isEqualTo(settings);
            assertThat(m.extraArgs()).containsExactly("--jinja", "--cache-type-k", "q8_0");
            assertThat(m.env()).containsExactly(Map.entry("CUDA_VISIBLE_DEVICES", "1"));
            assertThat(registry.find("gone-1b")).isEmpty();
        }

        @Test
        @DisplayName("refuse extra arguments that take over a flag MAGI sets, and change nothing then")
        void refusedSettingsChangeNothing() {
            scan(found("m-8b.gguf", 8));
            registry.updateRuntimeSettings("m-8b", s -> s.withExtraArgs(List.of("--jinja")));
            DiscoveredModel before = registry.require("m-8b");

            MagiException e = catchThrowableOfType(MagiException.class, () -> registry.updateRuntimeSettings("m-8b",
                    s -> new RuntimeSettings(1, 2, 3, 4, List.of("--port", "9999"), Map.of())));

            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(e.details()).containsEntry("field", "extraArgs").containsEntry("flag", "--port");
            assertThat(registry.require("m-8b")).isEqualTo(before);
            assertThat(newRegistry().require("m-8b")).isEqualTo(before);
        }

        @Test
        @DisplayName("keep the port range and thresholds")
        void keepSettings() {
            registry.setPortRange(new PortRange(9000, 9009));
            registry.setTierThresholds(new TierThresholds(30, 3));
            scan(found("m-8b.gguf", 8));
            registry = newRegistry();
            assertThat(registry.snapshot().portRange()).isEqualTo(new PortRange(9000, 9009));
            assertThat(registry.snapshot().tierThresholds()).isEqualTo(new TierThresholds(30, 3));
        }

        @Test
        @DisplayName("are never seen half-applied by a reader")
        void atomicForReaders() throws Exception {
            List<DiscoveredModel> setA = new ArrayList<>();
            List<DiscoveredModel> setB = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                setA.add(found("a" + i + "-1b.gguf", 1));
                setB.add(found("b" + i + "-1b.gguf", 1));
            }
            Set<String> idsA = setA.stream().map(DiscoveredModel::modelId).collect(Collectors.toSet());
            Set<String> idsB = setB.stream().map(DiscoveredModel::modelId).collect(Collectors.toSet());
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<Set<String>> torn = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                while (!done.get()) {
                    Set<String> ids = registry.snapshot().models().keySet();
                    if (!ids.isEmpty() && !ids.equals(idsA) && !ids.equals(idsB)) {
                        torn.set(Set.copyOf(ids));
                    }
                }
            });
            reader.start();
            for (int i = 0; i < 20; i++) {
                registry.applyScan(new ScanResult(scanPath, true, i % 2 == 0 ? setA : setB, List.of(), Duration.ZERO));
            }
            done.set(true);
            reader.join();
            assertThat(torn.get()).isNull();
        }
    }

    @Nested
    @DisplayName("ports")
    class Ports {
        @BeforeEach
        void models() {
            registry.setPortRange(new PortRange(9000, 9001));
            scan(found("a-1b.gguf", 1), found("b-1b.gguf", 1), found("c-1b.gguf", 1));
        }

        @Test
        @DisplayName("are handed out from the range when a model is enabled, lowest free first")
        void lazily() {
            assertThat(registry.setEnabled("b-1b", true).port()).isEqualTo(9000);
            assertThat(registry.setEnabled("a-1b", true).port()).isEqualTo(9001);
            assertThat(registry.require("c-1b").port()).isNull();
        }

        @Test
        @DisplayName("stay null when the range is exhausted, and starting then fails with PortRangeExhausted")
        void exhausted() {
            registry.setAllEnabled(true);
            assertThat(registry.snapshot().models().values()).filteredOn(m -> m.port() == null).hasSize(1);
            String withoutPort = registry.snapshot().models().values().stream()
                    .filter(m -> m.port() == null).findFirst().orElseThrow().modelId();
            assertThatThrownBy(() -> registry.ensurePort(withoutPort))
                    .isInstanceOfSatisfying(MagiException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_RANGE_EXHAUSTED));
        }

        @Test
        @DisplayName("are released when the file disappears")
        void released() {
            registry.setEnabled("a-1b", true);
            scan(found("b-1b.gguf", 1), found("c-1b.gguf", 1));
            assertThat(registry.setEnabled("c-1b", true).port()).isEqualTo(9000);
        }

        @Test
        @DisplayName("set by the user must lie in 1024-65535 and not belong to another model")
        void userPorts() {
            registry.setPort("a-1b", 9001);
            assertThatThrownBy(() -> registry.setPort("b-1b", 80))
                    .isInstanceOfSatisfying(MagiException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.PORT_OUT_OF_RANGE));
            assertThatThrownBy(() -> registry.setPort("b-1b", 9001))
                    .isInstanceOfSatisfying(MagiException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE);
                        assertThat(e.details()).containsEntry("modelId", "a-1b");
                    });
            // The range hands out only what no model holds.
            assertThat(registry.setEnabled("b-1b", true).port()).isEqualTo(9000);
        }

        @Test
        @DisplayName("handed out are moved when the range changes; pinned ones stay")
        void rangeChange() {
            registry.setEnabled("a-1b", true);
            registry.setPort("b-1b", 9001);
            registry.setPortRange(new PortRange(9100, 9110));
            assertThat(registry.require("a-1b").port()).isEqualTo(9100);
            assertThat(registry.require("b-1b").port()).isEqualTo(9001);
        }
    }

    @Nested
    @DisplayName("changes")
    class Changes {
        @Test
        @DisplayName("are on disk when they return")
        void durable() {
            scan(found("m-8b.gguf", 8));
            registry.setTierOverride("m-8b", Tier.FAST);
            RegistrySnapshot onDisk = store.loadRegistry().orElseThrow();
            assertThat(onDisk.models().get("m-8b").tierOverride()).isEqualTo(Tier.FAST);
        }

        @Test
        @DisplayName("that cannot be saved are not applied")
        void failedSave() throws Exception {
            scan(found("m-8b.gguf", 8));
            Path data = dir.resolve("data");
            try (var files = Files.list(data)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(data);
            Files.writeString(data, "a file where the directory was");
            assertThatThrownBy(() -> registry.setTierOverride("m-8b", Tier.FAST))
                    .isInstanceOfSatisfying(MagiException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED));
            assertThat(registry.require("m-8b").tierOverride()).isNull();
        }

        @Test
        @DisplayName("from many threads at once are all kept")
        void concurrent() throws Exception {
            List<DiscoveredModel> models = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                models.add(found("m" + i + "-8b.gguf", 8));
            }
            scan(models.toArray(DiscoveredModel[]::new));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String id = "m" + i + "-8b";
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int k = 0; k < 25; k++) {
                        registry.updateRuntimeSettings(id, s -> new RuntimeSettings(null, null, null,
                                s.batchSize() == null ? 1 : s.batchSize() + 1));
                    }
                    registry.setTierOverride(id, Tier.values()[n % 3]);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            RegistrySnapshot onDisk = store.loadRegistry().orElseThrow();
            for (int i = 0; i < 16; i++) {
                DiscoveredModel m = onDisk.models().get("m" + i + "-8b");
                assertThat(m.batchSize()).isEqualTo(25);
                assertThat(m.tierOverride()).isEqualTo(Tier.values()[i % 3]);
            }
            assertThat(registry.snapshot()).isEqualTo(onDisk);
        }

        @Test
        @DisplayName("of an unknown model give ModelNotFound")
        void unknownModel() {
            assertThatThrownBy(() -> registry.setEnabled("nope", true))
                    .isInstanceOfSatisfying(MagiException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_FOUND);
                        assertThat(e.getMessage()).isEqualTo("Model 'nope' not found");
                    });
        }
    }
}
