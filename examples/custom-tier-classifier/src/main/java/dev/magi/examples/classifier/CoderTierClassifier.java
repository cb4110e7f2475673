package dev.magi.examples.classifier;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.Tier;
import dev.magi.spi.TierClassifier;
import dev.magi.spi.TierThresholds;

/**
 * The {@code coder} classifier: a coding model ({@code Qwen2.5-Coder}, {@code StarCoder2},
 * {@code CodeLlama}...) goes to the powerful tier whatever its size, because code is the work a
 * router should send to the strongest model; every other model is sorted by size with the
 * registry's thresholds, as the built-in {@code size} classifier does.
 *
 * <p>Stateless, so one instance serves every thread; public with a no-argument constructor, so that
 * {@link java.util.ServiceLoader} can create it.
 */
public final class CoderTierClassifier implements TierClassifier {
    public static final String NAME = "coder";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Tier classify(DiscoveredModel model, TierThresholds thresholds) {
        if (model.isCoder()) {
            return Tier.POWERFUL;
        }
        Double billions = model.sizeParams();
        if (billions == null) {
            return Tier.BALANCED;
        }
        if (billions >= thresholds.powerfulMin()) {
            return Tier.POWERFUL;
        }
        return billions < thresholds.fastMax() ? Tier.FAST : Tier.BALANCED;
    }
}
