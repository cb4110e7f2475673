package dev.magi.core.classify;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.Tier;
import dev.magi.spi.TierClassifier;
import dev.magi.spi.TierThresholds;

/**
 * The built-in {@code size} classifier: at least {@code powerfulMin} billion parameters is powerful,
 * below {@code fastMax} is fast, the rest (and any model of unknown size) balanced.
 */
public final class SizeTierClassifier implements TierClassifier {
    public static final String NAME = "size";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Tier classify(DiscoveredModel model, TierThresholds thresholds) {
        Double size = model.sizeParams();
        if (size == null) {
            return Tier.BALANCED;
        }
        if (size >= thresholds.powerfulMin()) {
            return Tier.POWERFUL;
        }
        if (size < thresholds.fastMax()) {
            return Tier.FAST;
        }
        return Tier.BALANCED;
    }
}
