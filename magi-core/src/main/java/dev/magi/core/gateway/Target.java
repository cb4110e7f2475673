package dev.magi.core.gateway;

import dev.magi.spi.Tier;

/** What a request's {@code model} names, once resolved. */
public sealed interface Target {

    /** One model, by its id or an alias; any runnable model, enabled or not. */
    record Model(String modelId, Route route) implements Target {
    }

    /** A tier: one of its candidates serves. */
    record OfTier(Tier tier) implements Target {
    }

    /** {@code auto}: the tier comes from how hard the question is. */
    record Auto() implements Target {
    }
}
