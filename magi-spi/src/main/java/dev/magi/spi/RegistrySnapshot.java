package dev.magi.spi;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole registry at one instant: every model by id, where they were found, when, and the
 * registry-wide settings (port range and tier thresholds). Immutable, so a reader always sees a
 * complete registry, never a half-applied rescan.
 *
 * @param models         models by id, in the order they were listed
 * @param scanPath       the directory that was scanned (absolute), or null before the first scan
 * @param lastScan       when the last scan finished, or null before the first scan
 * @param portRange      ports handed to llama-server processes
 * @param tierThresholds thresholds of the {@code size} classifier
 */
public record RegistrySnapshot(
        Map<String, DiscoveredModel> models,
        String scanPath,
        Instant lastScan,
        PortRange portRange,
        TierThresholds tierThresholds) {

    public RegistrySnapshot {
        models = models == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(models));
        portRange = portRange == null ? PortRange.DEFAULT : portRange;
        tierThresholds = tierThresholds == null ? TierThresholds.DEFAULT : tierThresholds;
    }

    /** An empty registry with the default settings. */
    public static RegistrySnapshot empty(String scanPath) {
        return new RegistrySnapshot(Map.of(), scanPath, null, PortRange.DEFAULT, TierThresholds.DEFAULT);
    }
}
