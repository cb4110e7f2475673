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
 * Many writers changing a store's registry at once while a reader loads it, the load under which a
 * store or a registry in front of it must lose no update: each of {@code threads} threads makes
 * {@code changes} changes, the even ones adding 1 to the ctxSize of model {@code shared}, which
 * every thread changes, so a lost update shows in its count, the odd ones adding 1 to the nGpuLayers
 * of the thread's own model {@code own-N}. A reader beside them checks that every load is a whole
 * registry. How a change reaches the store is the caller's: {@link RegistryStoreContract} loads,
 * changes and saves under one lock, as MAGI's registry does; MAGI's own tests go through the registry.
 */
public final class ConcurrentWriters {

    /** One change: to model {@code modelId}, the shared model's ctxSize when {@code shared}, else nGpuLayers. */
    @FunctionalInterface
    public interface Change {
        void apply(String modelId, boolean shared) throws Exception;
    }

    private ConcurrentWriters() {
    }

    /** The registry the writers start from: {@code shared} (ctxSize 0) and {@code own-0}... (nGpuLayers 0). */
    public static RegistrySnapshot initialRegistry(int threads) {
        List<DiscoveredModel> models = new ArrayList<>();
        models.add(RegistryStoreContract.model("shared").toBuilder().ctxSize(0).build());
        for (int t = 0; t < threads; t++) {
            models.add(RegistryStoreContract.model("own-" + t).toBuilder().nGpuLayers(0).build());
        }
        return RegistryStoreContract.registryOf(models);
    }

    /** Runs the writers and the reader over {@code store}, which holds {@link #initialRegistry}, until all changes are made. */
    public static void run(RegistryStore store, int threads, int changes, Change change) throws Exception {
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
                        boolean shared = i % 2 == 0;
                        change.apply(shared ? "shared" : own, shared);
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
    }

    /** Checks that {@code saved} holds every change {@link #run} made. */
    public static void assertNoChangeLost(RegistrySnapshot saved, int threads, int changes) {
        assertThat(saved.models().get("shared").ctxSize()).isEqualTo(threads * changes / 2);
        for (int t = 0; t < threads; t++) {
            assertThat(saved.models().get("own-" + t).nGpuLayers()).as("own-" + t).isEqualTo(changes / 2);
        }
    }

    /**
     * Runs the writers as MAGI's registry makes its changes, a load, a change and a save under one
     * lock, and answers the last registry saved.
     */
    static RegistrySnapshot runLocked(RegistryStore store, int threads, int changes) throws Exception {
        RegistrySnapshot initial = initialRegistry(threads);
        store.saveRegistry(initial);
        Object lock = new Object();
        RegistrySnapshot[] lastSaved = {initial};
        run(store, threads, changes, (id, shared) -> {
            synchronized (lock) {
                RegistrySnapshot loaded = store.loadRegistry().orElseThrow();
                RegistrySnapshot next = withModel(loaded, id, m -> shared
                        ? m.toBuilder().ctxSize(m.ctxSize() + 1).build()
                        : m.toBuilder().nGpuLayers(m.nGpuLayers() + 1).build());
                store.saveRegistry(next);
                lastSaved[0] = next;
            }
        });
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
