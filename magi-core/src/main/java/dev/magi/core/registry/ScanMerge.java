package dev.magi.core.registry;

import dev.magi.core.discovery.ModelIds;
import dev.magi.core.discovery.ScanResult;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.TierThresholds;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Merges a scan into the registry: models whose files are still there keep their id and every
 * override; new files get an id (extended by a hash of their path on a collision) and start
 * disabled; models whose files are gone are dropped and their ports released. The merge is the one
 * place where what discovery found meets what the user chose, so its rules are kept apart from the
 * registry's locking and saving, as a function from the old registry and a scan to the next one.
 */
final class ScanMerge {

    private ScanMerge() {
    }

    /**
     * The registry after {@code scan}, and the summary for the user; {@code classify} assigns each
     * model its tier under the registry's thresholds.
     */
    static RegistryChange<RescanSummary> merge(RegistrySnapshot registry, ScanResult scan,
                                               UnaryOperator<DiscoveredModel> classify) {
        Path root = scan.scanPath();
        Map<String, DiscoveredModel> byPath = new HashMap<>();
        for (DiscoveredModel model : registry.models().values()) {
            byPath.put(model.filePath(), model);
        }
        Set<String> usedIds = new HashSet<>();
        Map<String, String> idByPath = new HashMap<>();
        for (DiscoveredModel found : scan.models()) {
            DiscoveredModel known = byPath.get(found.filePath());
            // A reserved id kept from an older registry is given up: the model was unreachable under it.
            if (known != null && !ModelIds.isReserved(known.modelId())) {
                idByPath.put(found.filePath(), known.modelId());
                usedIds.add(known.modelId());
            }
        }
        // New files in path order, so the same tree always yields the same ids.
        List<DiscoveredModel> newcomers = new ArrayList<>();
        for (DiscoveredModel found : scan.models()) {
            if (!idByPath.containsKey(found.filePath())) {
                newcomers.add(found);
            }
        }
        newcomers.sort(Comparator.comparing(DiscoveredModel::filePath));
        for (DiscoveredModel found : newcomers) {
            String id = found.modelId();
            if (usedIds.contains(id) || ModelIds.isReserved(id)) {
                String relative = relativePath(root, found.filePath());
                id = ModelIds.withPathHash(found.modelId(), relative);
                for (int n = 2; usedIds.contains(id); n++) {
                    id = ModelIds.withPathHash(found.modelId(), relative) + "-" + n;
                }
            }
            usedIds.add(id);
            idByPath.put(found.filePath(), id);
        }

        TierThresholds thresholds = registry.tierThresholds();
        Map<String, DiscoveredModel> models = new LinkedHashMap<>();
        int added = 0;
        for (DiscoveredModel found : scan.models()) {
            String id = idByPath.get(found.filePath());
            DiscoveredModel known = byPath.get(found.filePath());
            DiscoveredModel.Builder next = found.toBuilder().modelId(id)
                    .displayName(found.displayName() == null || found.displayName().equals(found.modelId())
                            ? id : found.displayName());
            if (known != null) {
                next.tierOverride(known.tierOverride())
                        .thinkingOverride(known.thinkingOverride())
                        .enabled(known.enabled())
                        .port(known.port())
                        .portPinned(known.portPinned())
                        .runtimeSettings(known.runtimeSettings())
                        .aliases(known.aliases());
            } else {
                next.enabled(false).port(null).portPinned(false).tierOverride(null).thinkingOverride(null)
                        .aliases(List.of());
                added++;
            }
            DiscoveredModel merged = classify.apply(next.build());
            // A model whose file and overrides did not change stays the same object: its cached
            // JSON is reused, and an idle rescan compares by identity.
            models.put(id, known != null && merged.equals(known) ? known : merged);
        }
        int removed = 0;
        for (DiscoveredModel model : registry.models().values()) {
            if (!idByPath.containsKey(model.filePath())) {
                removed++;
            }
        }
        // Models that kept their override "enabled" but lost their port (a range change) get one again.
        PortAllocator.givePortsToEnabled(models, registry.portRange());

        String scanPath = root.toString();
        Instant now = Instant.now();
        boolean unchanged = models.equals(registry.models()) && scanPath.equals(registry.scanPath())
                && registry.lastScan() != null;
        RegistrySnapshot next = new RegistrySnapshot(models, scanPath, now, registry.portRange(), thresholds);
        String message = scan.scanPathExists()
                ? "Rescan complete: " + models.size() + " models (" + added + " added, " + removed + " removed, "
                + scan.skipped().size() + " files skipped)"
                : "Scan path " + scanPath + " does not exist; the registry is empty";
        RescanSummary summary = new RescanSummary(message, models.size(), added, removed, scan.skipped(),
                scan.duration().toMillis(), scan.scanPathExists());
        // Nothing but the time changed: publish without rewriting the whole registry on disk, so an
        // idle rescan costs a directory walk and not a multi-megabyte write. The time is saved with
        // the next real change.
        return new RegistryChange<>(next, summary, !unchanged);
    }

    private static String relativePath(Path root, String filePath) {
        try {
            return root.relativize(Path.of(filePath)).toString().replace('\\', '/');
        } catch (IllegalArgumentException e) {
            return filePath;
        }
    }
}
