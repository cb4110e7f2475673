package dev.magi.core.registry;

import dev.magi.core.discovery.ScanResult;
import dev.magi.core.gateway.AliasRules;
import dev.magi.core.json.RegistryJsonCache;
import dev.magi.core.runtime.RuntimeSettingsRules;
import dev.magi.core.util.Subscription;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.PortRange;
import dev.magi.spi.RegistryConflictException;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.RuntimeSettings;
import dev.magi.spi.Tier;
import dev.magi.spi.TierClassifier;
import dev.magi.spi.TierThresholds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * The registry of models: the single owner of their state.
 *
 * <p>Readers call {@link #snapshot()} and get an immutable, complete registry without locking.
 * Every change runs under one lock, builds the next snapshot, saves it through the store (so it is on
 * disk before the caller hears of it) and only then publishes it. A save that fails leaves the
 * published registry as it was, so memory never runs ahead of the disk and no change is half-applied.
 *
 * <p>This class owns the snapshot, the lock, the store's version and the listeners; what a change
 * does to the models is a plain function of the registry: ports are {@link PortAllocator}'s, a scan's
 * merge is {@link ScanMerge}'s.
 */
public final class ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private final RegistryStore store;
    private final TierClassifier classifier;
    /**
     * Saves lost to another node's save in a row before a change gives up (with StorageFailed): with
     * the random pauses between them, some seconds of two nodes changing the registry non-stop.
     */
    private static final int MAX_CONFLICT_RETRIES = 200;
    /** The store's version of the registry held is not known yet: the first look at the store loads it. */
    private static final long UNKNOWN = Long.MIN_VALUE;
    /** The store has no versions: one MAGI has it to itself. */
    private static final long UNVERSIONED = Long.MIN_VALUE + 1;

    private final Object writeLock = new Object();
    private final List<Consumer<RegistrySnapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile RegistrySnapshot current;
    /** This registry's JSON, kept here so that two engines in one JVM never evict each other's bytes. */
    private final RegistryJsonCache json = new RegistryJsonCache();
    /** The store's version of {@link #current} (see {@link RegistryStore#registryVersion()}); under the write lock. */
    private long version = UNKNOWN;

    /**
     * @param store      where every change is saved
     * @param classifier decides {@code assignedTier}
     * @param initial    the registry to start from (loaded from the store, or empty)
     */
    public ModelRegistry(RegistryStore store, TierClassifier classifier, RegistrySnapshot initial) {
        this(store, classifier, initial, null);
    }

    /**
     * @param version the store's {@link RegistryStore#registryVersion() version}, read before
     *                {@code initial} was loaded; null when not known, and the first look at the store
     *                loads the registry again
     */
    public ModelRegistry(RegistryStore store, TierClassifier classifier, RegistrySnapshot initial,
                         OptionalLong version) {
        this.store = Objects.requireNonNull(store, "store");
        this.classifier = Objects.requireNonNull(classifier, "classifier");
        this.current = Objects.requireNonNull(initial, "initial");
        if (version != null) {
            this.version = version.isPresent() ? version.getAsLong() : UNVERSIONED;
        }
    }

    /** The registry as it is now; never half of a change. */
    public RegistrySnapshot snapshot() {
        return current;
    }

    /**
     * The registry as it is now, as compact JSON ({@code GET /registry}). The bytes are kept per
     * snapshot, so reads between two changes cost no serialization. Callers must not modify the array.
     */
    public byte[] snapshotJson() {
        return json.bytes(current);
    }

    public Optional<DiscoveredModel> find(String modelId) {
        return Optional.ofNullable(current.models().get(modelId));
    }

    /** @throws MagiException {@link ErrorCode#MODEL_NOT_FOUND} */
    public DiscoveredModel require(String modelId) {
        DiscoveredModel model = current.models().get(modelId);
        if (model == null) {
            throw MagiException.modelNotFound(modelId);
        }
        return model;
    }

    /** Models whose effective tier is {@code tier}, in registry order. */
    public List<DiscoveredModel> byTier(Tier tier) {
        List<DiscoveredModel> result = new ArrayList<>();
        for (DiscoveredModel model : current.models().values()) {
            if (model.effectiveTier() == tier) {
                result.add(model);
            }
        }
        return result;
    }

    /** Calls {@code listener} with every new registry after it has been saved, until the subscription is closed. */
    public Subscription addListener(Consumer<RegistrySnapshot> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    // ---------------------------------------------------------------- user changes

    /** Sets or (with null) clears the user's tier. */
    public DiscoveredModel setTierOverride(String modelId, Tier tier) {
        return updateModel(modelId, m -> m.toBuilder().tierOverride(tier).build());
    }

    /** Sets or (with null) clears the user's thinking flag. */
    public DiscoveredModel setThinkingOverride(String modelId, Boolean thinking) {
        return updateModel(modelId, m -> m.toBuilder().thinkingOverride(thinking).build());
    }

    /**
     * Replaces a model's aliases, the other names the gateway answers for it.
     *
     * @throws MagiException {@link ErrorCode#INVALID_REQUEST} naming an alias that is a model id, a tier
     *                       name or {@code auto}, another model's alias, or not a name
     */
    public DiscoveredModel setAliases(String modelId, List<String> aliases) {
        return mutate(registry -> {
            Map<String, DiscoveredModel> models = new LinkedHashMap<>(registry.models());
            DiscoveredModel model = requireIn(models, modelId);
            Map<String, String> inUse = new HashMap<>();
            for (DiscoveredModel other : models.values()) {
                other.aliases().forEach(alias -> inUse.put(alias, other.modelId()));
            }
            List<String> checked = AliasRules.check(modelId, aliases, models.keySet(), inUse);
            DiscoveredModel changed = model.toBuilder().aliases(checked).build();
            models.put(modelId, changed);
            return new RegistryChange<>(with(registry, models), changed);
        });
    }

    /** Enables or disables a model; an enabled model gets a port from the range when it has none. */
    public DiscoveredModel setEnabled(String modelId, boolean enabled) {
        return mutate(registry -> {
            Map<String, DiscoveredModel> models = new LinkedHashMap<>(registry.models());
            DiscoveredModel model = requireIn(models, modelId).toBuilder().enabled(enabled).build();
            if (enabled) {
                model = PortAllocator.withFreePortOrWarn(model, models.values(), registry.portRange());
            }
            models.put(modelId, model);
            return new RegistryChange<>(with(registry, models), model);
        });
    }

    /**
     * Pins a model to a port of the user's choice, or (with null) unpins it so that it takes one from
     * the range again when it needs one.
     *
     * @throws MagiException {@link ErrorCode#PORT_OUT_OF_RANGE} outside 1024-65535,
     *                       {@link ErrorCode#PORT_IN_USE} when another model has that port
     */
    public DiscoveredModel setPort(String modelId, Integer port) {
        if (port != null && (port < 1024 || port > 65535)) {
            throw new MagiException(ErrorCode.PORT_OUT_OF_RANGE,
                    "Port " + port + " is outside 1024-65535", Map.of("port", port));
        }
        return mutate(registry -> PortAllocator.pin(registry, modelId, port));
    }

    /**
     * Applies {@code patch} to a model's runtime settings.
     *
     * @throws MagiException {@link ErrorCode#INVALID_REQUEST} when the extra arguments or variables break
     *                       {@link RuntimeSettingsRules}; nothing is changed then
     */
    public DiscoveredModel updateRuntimeSettings(String modelId, UnaryOperator<RuntimeSettings> patch) {
        return updateModel(modelId, m -> {
            RuntimeSettings next = patch.apply(m.runtimeSettings());
            RuntimeSettingsRules.check(next);
            return m.toBuilder().runtimeSettings(next).build();
        });
    }

    /**
     * Changes the port range. Ports handed out from the old range that fall outside the new one are
     * released (enabled models get a new one); ports the user pinned are kept.
     */
    public PortRange setPortRange(PortRange range) {
        Objects.requireNonNull(range, "range");
        return mutate(registry -> PortAllocator.changeRange(registry, range));
    }

    /** Changes the thresholds and reclassifies every model. */
    public TierThresholds setTierThresholds(TierThresholds thresholds) {
        Objects.requireNonNull(thresholds, "thresholds");
        return mutate(registry -> {
            Map<String, DiscoveredModel> models = new LinkedHashMap<>();
            for (DiscoveredModel model : registry.models().values()) {
                models.put(model.modelId(), classified(model, thresholds));
            }
            RegistrySnapshot next = new RegistrySnapshot(models, registry.scanPath(), registry.lastScan(),
                    registry.portRange(), thresholds);
            return new RegistryChange<>(next, thresholds);
        });
    }

    /**
     * Enables exactly the models in {@code ids} and disables every other one, in one change (a
     * profile's activation); ids the registry does not hold are ignored.
     */
    public void setEnabledExactly(Set<String> ids) {
        setEnabledWhere(model -> ids.contains(model.modelId()));
    }

    /** Enables or disables every model; answers how many changed. */
    public int setAllEnabled(boolean enabled) {
        return setEnabledWhere(model -> enabled);
    }

    /** Enables the models {@code wanted} accepts and disables the others; answers how many changed. */
    private int setEnabledWhere(Predicate<DiscoveredModel> wanted) {
        return mutate(registry -> {
            Map<String, DiscoveredModel> models = new LinkedHashMap<>(registry.models());
            int updated = 0;
            for (DiscoveredModel model : registry.models().values()) {
                boolean enabled = wanted.test(model);
                if (model.enabled() != enabled) {
                    // Unchanged models stay the same objects, so their cached JSON is reused.
                    models.put(model.modelId(), model.toBuilder().enabled(enabled).build());
                    updated++;
                }
            }
            PortAllocator.givePortsToEnabled(models, registry.portRange());
            return new RegistryChange<>(with(registry, models), updated);
        });
    }

    /**
     * Makes sure a model has a port, handing out the lowest free one of the range.
     *
     * @throws MagiException {@link ErrorCode#PORT_RANGE_EXHAUSTED} when every port is taken
     */
    public DiscoveredModel ensurePort(String modelId) {
        return mutate(registry -> PortAllocator.ensure(registry, modelId));
    }

    /**
     * Moves a model off a port it was handed from the range to the next one that no model holds and
     * {@code usable} accepts (used when another program has taken the port).
     *
     * @throws MagiException {@link ErrorCode#PORT_RANGE_EXHAUSTED} when no such port is left
     */
    public DiscoveredModel moveToFreePort(String modelId, IntPredicate usable) {
        return mutate(registry -> PortAllocator.moveToFree(registry, modelId, usable));
    }

    // ---------------------------------------------------------------- scans

    /**
     * Merges a scan into the registry: models whose files are still there keep their id and every
     * override; new files get an id and start disabled; models whose files are gone are dropped and
     * their ports released. Every model is classified again.
     */
    public RescanSummary applyScan(ScanResult scan) {
        return mutate(registry -> ScanMerge.merge(registry, scan,
                model -> classified(model, registry.tierThresholds())));
    }

    // ---------------------------------------------------------------- internals

    private DiscoveredModel updateModel(String modelId, UnaryOperator<DiscoveredModel> change) {
        return mutate(registry -> {
            Map<String, DiscoveredModel> models = new LinkedHashMap<>(registry.models());
            DiscoveredModel model = change.apply(requireIn(models, modelId));
            models.put(modelId, model);
            return new RegistryChange<>(with(registry, models), model);
        });
    }

    /**
     * Loads the registry again when another MAGI sharing the store saved it since this one last read
     * or wrote it, and publishes it. The engine calls this about once a second, so a node sees the
     * changes of the others without a change of its own; a store one MAGI has to itself never reports
     * a change, and nothing happens.
     *
     * @return whether the registry was loaded again
     */
    public boolean refreshFromStore() {
        RegistrySnapshot loaded;
        synchronized (writeLock) {
            loaded = reloadIfChangedElsewhere();
            if (loaded == null) {
                return false;
            }
        }
        publish(loaded);
        return true;
    }

    /**
     * Under the write lock: the registry another node saved, now current, or null when there is none
     * newer. The store's version is read before the registry: a save that comes between the two makes
     * the next save of this node conflict and load again, and loses nothing.
     */
    private RegistrySnapshot reloadIfChangedElsewhere() {
        OptionalLong stored = store.registryVersion();
        if (stored.isEmpty()) {
            version = UNVERSIONED;
            return null;
        }
        if (stored.getAsLong() == version) {
            return null;
        }
        boolean known = version != UNKNOWN;
        RegistrySnapshot loaded = store.loadRegistry().orElse(null);
        version = stored.getAsLong();
        if (loaded == null || loaded.equals(current)) {
            return null;
        }
        if (known) {
            LOG.debug("The registry was changed by another MAGI sharing the store: loaded again ({} models)",
                    loaded.models().size());
        }
        current = loaded;
        return loaded;
    }

    private <T> T mutate(Function<RegistrySnapshot, RegistryChange<T>> change) {
        RegistrySnapshot toPublish = null;
        try {
            synchronized (writeLock) {
                for (int attempt = 1; ; attempt++) {
                    // A node sharing the store may have saved since: apply the change to its registry,
                    // not to an older copy, so that neither change is lost.
                    RegistrySnapshot loaded = reloadIfChangedElsewhere();
                    if (loaded != null) {
                        toPublish = loaded;
                    }
                    RegistryChange<T> result = change.apply(current);
                    RegistrySnapshot next = result.registry();
                    if (next.equals(current)) {
                        return result.answer();
                    }
                    try {
                        if (result.persist()) {
                            if (version == UNVERSIONED) {
                                store.saveRegistry(next);
                            } else {
                                version = store.saveRegistry(next, version);
                            }
                        }
                    } catch (RegistryConflictException e) {
                        // Another node saved between the check and the save: start over from its
                        // registry, after a random pause so that two busy nodes stop meeting.
                        if (attempt == MAX_CONFLICT_RETRIES) {
                            throw e;
                        }
                        LOG.debug("The registry changed elsewhere while saving; applying the change again");
                        pauseAfterConflict(attempt);
                        continue;
                    }
                    current = next;
                    toPublish = next;
                    return result.answer();
                }
            }
        } finally {
            // Outside the lock: listeners may read the registry, or take locks of their own.
            if (toPublish != null) {
                publish(toPublish);
            }
        }
    }

    private static void pauseAfterConflict(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L * Math.min(attempt, 10) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MagiException(ErrorCode.STORAGE_FAILED, "Interrupted while saving the registry");
        }
    }

    private void publish(RegistrySnapshot next) {
        for (Consumer<RegistrySnapshot> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                LOG.warn("A registry listener failed: {}", e.toString());
            }
        }
    }

    private DiscoveredModel classified(DiscoveredModel model, TierThresholds thresholds) {
        Tier tier;
        try {
            tier = classifier.classify(model, thresholds);
        } catch (RuntimeException e) {
            LOG.warn("Tier classifier '{}' failed on model '{}'; using balanced: {}", classifier.name(),
                    model.modelId(), e.toString());
            tier = null;
        }
        if (tier == null) {
            tier = Tier.BALANCED;
        }
        return tier == model.assignedTier() ? model : model.toBuilder().assignedTier(tier).build();
    }

    static DiscoveredModel requireIn(Map<String, DiscoveredModel> models, String modelId) {
        DiscoveredModel model = models.get(modelId);
        if (model == null) {
            throw MagiException.modelNotFound(modelId);
        }
        return model;
    }

    static RegistrySnapshot with(RegistrySnapshot registry, Map<String, DiscoveredModel> models) {
        return new RegistrySnapshot(models, registry.scanPath(), registry.lastScan(), registry.portRange(),
                registry.tierThresholds());
    }
}
