package dev.magi.core.registry;

import dev.magi.core.classify.SizeTierClassifier;
import dev.magi.core.store.h2.H2StoreProvider;
import dev.magi.core.store.json.JsonStoreProvider;
import dev.magi.core.store.yaml.YamlStoreProvider;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.RuntimeSettings;
import dev.magi.spi.StoreProvider;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.magi.testkit.store.RegistryStoreContract.fileSettings;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry's own promise under load, over each built-in store: many threads changing models at
 * once through {@link ModelRegistry} lose no change, and a reader of the store meanwhile sees whole
 * registries. The store contract checks the same load-change-save pattern against a store alone;
 * this checks that the registry keeps to it.
 */
@DisplayName("The model registry, changed by 32 threads at once")
class ConcurrentRegistryChangesTest {

    @TempDir
    Path dir;

    private static StoreProvider provider(String name) {
        return switch (name) {
            case "json" -> new JsonStoreProvider();
            case "yaml" -> new YamlStoreProvider();
            case "h2" -> new H2StoreProvider();
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static DiscoveredModel model(String id) {
        return DiscoveredModel.builder(id, "/models/" + id + ".gguf", id + ".gguf").build();
    }

    private static RegistrySnapshot registryOf(List<DiscoveredModel> models) {
        Map<String, DiscoveredModel> byId = new LinkedHashMap<>();
        for (DiscoveredModel model : models) {
            byId.put(model.modelId(), model);
        }
        return new RegistrySnapshot(byId, "/models", Instant.parse("2026-01-02T03:04:05Z"), null, null);
    }

    @ParameterizedTest(name = "over the {0} store")
    @ValueSource(strings = {"json", "yaml", "h2"})
    @DisplayName("32 threads making 200 changes each through the registry lose none, while readers see whole registries")
    void concurrentChanges(String storeName) throws Exception {
        StoreProvider provider = provider(storeName);
        int threads = 32;
        int changes = 200;
        List<DiscoveredModel> models = new ArrayList<>();
        models.add(model("shared").toBuilder().ctxSize(0).build());
        for (int t = 0; t < threads; t++) {
            models.add(model("own-" + t).toBuilder().nGpuLayers(0).build());
        }
        RegistrySnapshot initial = registryOf(models);
        RegistrySnapshot expected;
        try (RegistryStore store = provider.open(fileSettings(dir))) {
            store.saveRegistry(initial);
            ModelRegistry registry = new ModelRegistry(store, new SizeTierClassifier(), initial);

            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
            try {
                CountDownLatch start = new CountDownLatch(1);
                Future<Integer> reader = pool.submit(() -> {
                    int reads = 0;
                    while (writing.get()) {
                        RegistrySnapshot seen = store.loadRegistry().orElseThrow();
                        assertThat(seen.models()).hasSize(threads + 1);
                        reads++;
                        Thread.sleep(5);
                    }
                    return reads;
                });
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String own = "own-" + t;
                    writers.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < changes; i++) {
                            // Half the changes touch a model every thread changes, so a lost update shows.
                            if (i % 2 == 0) {
                                registry.updateRuntimeSettings("shared", s -> new RuntimeSettings(s.nGpuLayers(),
                                        s.ctxSize() + 1, s.nThreads(), s.batchSize()));
                            } else {
                                registry.updateRuntimeSettings(own, s -> new RuntimeSettings(s.nGpuLayers() + 1,
                                        s.ctxSize(), s.nThreads(), s.batchSize()));
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> writer : writers) {
                    writer.get();
                }
                writing.set(false);
                assertThat(reader.get()).isPositive();
            } finally {
                writing.set(false);
                pool.shutdownNow();
                pool.awaitTermination(1, TimeUnit.MINUTES);
            }
            expected = registry.snapshot();
        }

        try (RegistryStore reopened = provider.open(fileSettings(dir))) {
            RegistrySnapshot saved = reopened.loadRegistry().orElseThrow();
            assertThat(saved).isEqualTo(expected);
            assertThat(saved.models().get("shared").ctxSize()).isEqualTo(threads * changes / 2);
            for (int t = 0; t < threads; t++) {
                assertThat(saved.models().get("own-" + t).nGpuLayers()).as("own-" + t).isEqualTo(changes / 2);
            }
        }
    }
}
