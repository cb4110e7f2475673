package dev.magi.core.registry;

import dev.magi.core.classify.SizeTierClassifier;
import dev.magi.core.store.h2.H2StoreProvider;
import dev.magi.core.store.json.JsonStoreProvider;
import dev.magi.core.store.yaml.YamlStoreProvider;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.RuntimeSettings;
import dev.magi.spi.StoreProvider;
import dev.magi.testkit.store.ConcurrentWriters;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

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

    @ParameterizedTest(name = "over the {0} store")
    @ValueSource(strings = {"json", "yaml", "h2"})
    @DisplayName("32 threads making 200 changes each through the registry lose none, while readers see whole registries")
    void concurrentChanges(String storeName) throws Exception {
        StoreProvider provider = provider(storeName);
        int threads = 32;
        int changes = 200;
        RegistrySnapshot initial = ConcurrentWriters.initialRegistry(threads);
        RegistrySnapshot expected;
        try (RegistryStore store = provider.open(fileSettings(dir))) {
            store.saveRegistry(initial);
            ModelRegistry registry = new ModelRegistry(store, new SizeTierClassifier(), initial);
            ConcurrentWriters.run(store, threads, changes, (id, shared) -> registry.updateRuntimeSettings(id,
                    s -> shared
                            ? new RuntimeSettings(s.nGpuLayers(), s.ctxSize() + 1, s.nThreads(), s.batchSize())
                            : new RuntimeSettings(s.nGpuLayers() + 1, s.ctxSize(), s.nThreads(), s.batchSize())));
            expected = registry.snapshot();
        }

        try (RegistryStore reopened = provider.open(fileSettings(dir))) {
            RegistrySnapshot saved = reopened.loadRegistry().orElseThrow();
            assertThat(saved).isEqualTo(expected);
            ConcurrentWriters.assertNoChangeLost(saved, threads, changes);
        }
    }
}
