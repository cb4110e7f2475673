package dev.magi.spi;

/**
 * The size thresholds of the built-in {@code size} classifier, in billions of parameters:
 * a model of at least {@code powerfulMin} is powerful, one below {@code fastMax} is fast.
 */
public record TierThresholds(double powerfulMin, double fastMax) {
    public static final TierThresholds DEFAULT = new TierThresholds(14, 7);

    public TierThresholds {
        if (!Double.isFinite(powerfulMin) || !Double.isFinite(fastMax) || fastMax < 0 || powerfulMin < fastMax) {
            throw MagiException.invalidRequest("Invalid tier thresholds: need 0 <= fast_max <= powerful_min, got powerful_min="
                    + powerfulMin + ", fast_max=" + fastMax, "tierThresholds");
        }
    }
}
