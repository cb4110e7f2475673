package dev.magi.core.registry;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.PortRange;
import dev.magi.spi.RegistrySnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * The ports of the registry: the lowest free port of the range first, ports the user pinned kept,
 * and a warning instead of a failure when a change of many models runs the range out. Enabling,
 * pinning, a range change and a scan all hand out ports, so the rules live here once. Each change
 * turns one registry into the next and is run by {@link ModelRegistry} under its lock.
 */
final class PortAllocator {
    // Logged under ModelRegistry: the name a user knows for the registry's warnings.
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    private PortAllocator() {
    }

    /** Pins a model to {@code port} (checked against the other models), or unpins it when null. */
    static RegistryChange<DiscoveredModel> pin(RegistrySnapshot registry, String modelId, Integer port) {
        Map<String, DiscoveredModel> models = new LinkedHashMap<>(registry.models());
        DiscoveredModel model = ModelRegistry.requireIn(models, modelId);
        if (port != null) {
            for (DiscoveredModel other : models.values()) {
                if (!other.modelId().equals(modelId) && port.equals(other.port())) {
                    throw new MagiException(ErrorCode.PORT_IN_USE,
                            "Port " + port + " is already used by model '" + other.modelId() + "'",
                            Map.of("port", port, "modelId", other.modelId()));
                }
            }
            model = model.toBuilder().port(port).portPinned(true).build();
        } else {
            model = model.toBuilder().port(null).portPinned(false).build();
            if (model.enabled()) {
                model = withFreePortOrWarn(model, models.values(), registry.portRange());
            }
        }
        models.put(modelId, model);
        return new RegistryChange<>(ModelRegistry.with(registry, models), model);
    }

    /** Moves to {@code range}: ports handed out outside it are released and enabled models get new ones. */
    static RegistryChange<PortRange> changeRange(RegistrySnapshot registry, PortRange range) {
        Map<String, DiscoveredModel> models = new LinkedHashMap<>(registry.models());
        for (DiscoveredModel model : List.copyOf(models.values())) {
            if (model.port() != null && !model.portPinned() && !range.contains(model.port())) {
                models.put(model.modelId(), model.toBuilder().port(null).build());
            }
        }
        givePortsToEnabled(models, range);
        RegistrySnapshot next = new RegistrySnapshot(models, registry.scanPath(), registry.lastScan(), range,
                registry.tierThresholds());
        return new RegistryChange<>(next, range);
    }

    /** Gives a model without a port the lowest free one; fails when none is left. */
    static RegistryChange<DiscoveredModel> ensure(RegistrySnapshot registry, String modelId) {
        Map<String, DiscoveredModel> models = new LinkedHashMap<>(registry.models());
        DiscoveredModel model = ModelRegistry.requireIn(models, modelId);
        if (model.port() == null) {
            model = withFreePort(model, portsInUse(models.values()), registry.portRange());
            if (model.port() == null) {
                throw exhausted(modelId, registry.portRange());
            }
            models.put(modelId, model);
        }
        return new RegistryChange<>(ModelRegistry.with(registry, models), model);
    }

    /** Moves a model to the lowest port that no model holds and {@code usable} accepts; fails when none is left. */
    static RegistryChange<DiscoveredModel> moveToFree(RegistrySnapshot registry, String modelId,
                                                      IntPredicate usable) {
        Map<String, DiscoveredModel> models = new LinkedHashMap<>(registry.models());
        DiscoveredModel model = ModelRegistry.requireIn(models, modelId);
        PortRange range = registry.portRange();
        Integer chosen = firstFreePort(portsInUse(models.values()), range, usable);
        if (chosen == null) {
            throw exhausted(modelId, range);
        }
        model = model.toBuilder().port(chosen).portPinned(false).build();
        models.put(modelId, model);
        return new RegistryChange<>(ModelRegistry.with(registry, models), model);
    }

    /** Hands a port to every enabled model without one; warns once when the range runs out. */
    static void givePortsToEnabled(Map<String, DiscoveredModel> models, PortRange range) {
        Set<Integer> taken = null;
        int without = 0;
        for (DiscoveredModel model : List.copyOf(models.values())) {
            if (model.enabled() && model.port() == null) {
                if (taken == null) {
                    taken = portsInUse(models.values());
                }
                DiscoveredModel next = withFreePort(model, taken, range);
                if (next.port() == null) {
                    without++;
                } else {
                    models.put(model.modelId(), next);
                }
            }
        }
        if (without > 0) {
            LOG.warn("Port range {} is exhausted; {} enabled model(s) have no port", range, without);
        }
    }

    static DiscoveredModel withFreePortOrWarn(DiscoveredModel model, Iterable<DiscoveredModel> all,
                                              PortRange range) {
        DiscoveredModel next = withFreePort(model, portsInUse(all), range);
        if (next.port() == null) {
            LOG.warn("Port range {} is exhausted; model '{}' has no port", range, model.modelId());
        }
        return next;
    }

    /**
     * The model with the lowest port of the range that is not {@code taken}, which it then joins; the
     * model as it is when it has a port or none is left.
     */
    private static DiscoveredModel withFreePort(DiscoveredModel model, Set<Integer> taken, PortRange range) {
        if (model.port() != null) {
            return model;
        }
        Integer port = firstFreePort(taken, range, p -> true);
        if (port == null) {
            return model;
        }
        taken.add(port);
        return model.toBuilder().port(port).portPinned(false).build();
    }

    /** The lowest port of the range that is not {@code taken} and that {@code usable} accepts, or null. */
    private static Integer firstFreePort(Set<Integer> taken, PortRange range, IntPredicate usable) {
        for (int port = range.start(); port <= range.end(); port++) {
            if (!taken.contains(port) && usable.test(port)) {
                return port;
            }
        }
        return null;
    }

    private static Set<Integer> portsInUse(Iterable<DiscoveredModel> models) {
        Set<Integer> taken = new HashSet<>();
        for (DiscoveredModel model : models) {
            if (model.port() != null) {
                taken.add(model.port());
            }
        }
        return taken;
    }

    private static MagiException exhausted(String modelId, PortRange range) {
        return new MagiException(ErrorCode.PORT_RANGE_EXHAUSTED,
                "No free port left in " + range + " for model '" + modelId + "'",
                Map.of("modelId", modelId, "portRange", List.of(range.start(), range.end())));
    }
}
