package dev.magi.core.discovery;

import dev.magi.spi.DiscoveredModel;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one walk of the scan path found, before the registry merges it.
 *
 * @param scanPath       the directory walked (absolute)
 * @param scanPathExists false when it does not exist (not an error: the registry is then empty)
 * @param models         runnable models; each {@code modelId} is the id its name asks for, which the
 *                       registry may extend on a collision; overrides are not set
 * @param skipped        files looked at and not listed, with the reason
 * @param duration       how long the walk and the header reads took
 */
public record ScanResult(Path scanPath, boolean scanPathExists, List<DiscoveredModel> models,
                         List<SkippedFile> skipped, Duration duration) {
    public ScanResult {
        models = List.copyOf(models);
        skipped = List.copyOf(skipped);
    }
}
