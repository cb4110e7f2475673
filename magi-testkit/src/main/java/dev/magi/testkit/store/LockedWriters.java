package dev.magi.testkit.store;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;

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
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writers that change a store as MAGI's registry does, for {@link RegistryStoreContract}: each change
 * loads the registry, changes one model and saves the result, all under one lock, so a store that
 * answers a load with anything but the last save loses an update, which the counts then show. A reader
 * beside them, outside the lock, checks that every load is a whole registry.
 */
final class LockedWriters {
    private LockedWriters() {
    }

    /**
     * Saves a registry of model {@code shared} (ctxSize 0) and {@code own-0}... (nGpuLayers 0), then has
     * {@code threads} threads make {@code changes} changes each: the even ones add 1 to the ctxSize of
     * {@code shared}, the odd ones 1 to the nGpuLayers of the thread's own model. Answers the last
     * registry saved.
     */
    static RegistrySnapshot run(RegistryStore store, int threads, int changes) throws Exception {
        List<DiscoveredModel> models = new ArrayList<>();
        models.add(RegistryStoreContract.model("shared").toBuilder().ctxSize(0).build());
        for (int t = 0; t < threads; t++) {
            models.add(RegistryStoreContract.model("own-" + t).toBuilder().nGpuLayers(0).build());
        }
        RegistrySnapshot initial = RegistryStoreContract.registryOf(models);
        store.saveRegistry(initial);
        Object lock = new Object();
        RegistrySnapshot[] lastSaved = {initial};

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
                        boolean shared = i % 2 == 0;
                        synchronized (lock) {
                            RegistrySnapshot loaded = store.loadRegistry().orElseThrow();
                            RegistrySnapshot next = shared
                                    ? withModel(loaded, "shared", m -> m.toBuilder().ctxSize(m.ctxSize() + 1).build())
                                    : withModel(loaded, own, m -> m.toBuilder().nGpuLayers(m.nGpuLayers() + 1).build());
                            store.saveRegistry(next);
                            lastSaved[0] = next;
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
        synchronized (lock) {
            return lastSaved[0];
        }
    }

    /** {@code registry} with model {@code id} changed by {@code change}, in its place. */
    private static RegistrySnapshot withModel(RegistrySnapshot registry, String id,
            UnaryOperator<DiscoveredModel> change) {
        Map<String, DiscoveredModel> models = new LinkedHashMap<>(registry.models());
        models.put(id, change.apply(models.get(id)));
        return new RegistrySnapshot(models, registry.scanPath(), registry.lastScan(), registry.portRange(),
                registry.tierThresholds());
    }
}
