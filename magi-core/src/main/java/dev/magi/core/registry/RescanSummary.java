package dev.magi.core.registry;

import dev.magi.core.discovery.SkippedFile;

import java.util.List;

/**
 * What one rescan did: the answer of {@code POST /rescan}.
 *
 * @param message        a sentence for a person
 * @param modelsFound    models in the registry after the scan
 * @param modelsAdded    models that were not there before
 * @param modelsRemoved  models whose files are gone
 * @param skipped        files that are not listed, each with its reason
 * @param durationMs     how long the scan took
 * @param scanPathExists false when the scan path does not exist (the registry is then empty)
 */
public record RescanSummary(String message, int modelsFound, int modelsAdded, int modelsRemoved,
                            List<SkippedFile> skipped, long durationMs, boolean scanPathExists) {
    public RescanSummary {
        skipped = List.copyOf(skipped);
    }
}
