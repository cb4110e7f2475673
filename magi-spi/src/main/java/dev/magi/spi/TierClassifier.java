package dev.magi.spi;

/**
 * Decides the tier of a model. Implementations are found with {@link java.util.ServiceLoader}
 * (list the class in {@code META-INF/services/dev.magi.spi.TierClassifier}) and chosen by
 * {@link #name()} through {@code MAGI_TIER_CLASSIFIER}; the built-in one is {@code size}.
 *
 * <p>Implementations must be stateless and thread-safe, and need a public no-argument constructor.
 */
public interface TierClassifier {

    /** The name users select this classifier by; lower case, unique among plugins. */
    String name();

    /**
     * The tier for {@code model}, from what discovery knows of it. The user's override is not this
     * method's business: {@link DiscoveredModel#effectiveTier()} applies it.
     *
     * @param model      the model as discovered (its {@code assignedTier} is not to be trusted)
     * @param thresholds the registry's current thresholds
     * @return a tier, never null
     */
    Tier classify(DiscoveredModel model, TierThresholds thresholds);
}
