package dev.magi.core.gateway;

import dev.magi.spi.Tier;

/**
 * Where a request goes once its name is resolved and a server chosen.
 *
 * @param modelId the model whose server serves it
 * @param tier    the tier it was served as: the asked tier after escalation, or the model's own
 * @param route   how the name led there
 * @param score   {@code auto}'s score, else null
 */
record Routed(String modelId, Tier tier, Route route, Double score) {
}
