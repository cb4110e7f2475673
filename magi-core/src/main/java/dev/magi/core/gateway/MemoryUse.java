package dev.magi.core.gateway;

/**
 * The memory budget and what the running servers hold of it, for {@code GET /api/models/servers} and
 * {@code /metrics}.
 *
 * @param budgetBytes     {@code --memory-budget}
 * @param reservedBytes   the estimates of the running (or starting) servers, added up
 * @param maxLoadedModels {@code --max-loaded-models}, 0 for no limit
 */
public record MemoryUse(long budgetBytes, long reservedBytes, int maxLoadedModels) {
}
