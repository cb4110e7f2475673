package dev.magi.core.memory;

import java.time.Instant;

/**
 * What the eviction rules know of one running server.
 *
 * @param modelId     the model it serves
 * @param memoryBytes the model's estimated memory
 * @param pinned      started through the API or by a profile: never evicted
 * @param busy        has a request in flight or queued: never evicted
 * @param lastUsed    when its last request ended (or it started): the least recently used goes first
 */
public record LoadedServer(String modelId, long memoryBytes, boolean pinned, boolean busy, Instant lastUsed) {
}
