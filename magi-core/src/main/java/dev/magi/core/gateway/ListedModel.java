package dev.magi.core.gateway;

import dev.magi.core.supervision.ServerState;
import dev.magi.spi.Tier;

/**
 * One name {@code GET /v1/models} lists: a runnable model, or a virtual name (a tier with candidates,
 * or {@code auto}).
 *
 * @param id            what a client sends as {@code model}
 * @param virtual       a tier name or {@code auto}, not one model
 * @param created       seconds since the epoch: the model file's last change; 0 for a virtual name
 * @param tier          the model's effective tier, or the tier a tier name stands for; null for auto
 * @param state         the model's server state; null for a virtual name
 * @param enabled       whether tiers and auto may choose it; true for a virtual name
 * @param contextLength the model's context length from its header, null when unknown or virtual
 * @param estimatedMemoryBytes the model's estimated memory, null when unknown or virtual
 */
public record ListedModel(String id, boolean virtual, long created, Tier tier, ServerState state, boolean enabled,
                          Long contextLength, Long estimatedMemoryBytes) {
}
