package dev.magi.core.gateway.auto;

import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.TierConfig;
import dev.magi.spi.Tier;

import java.util.Comparator;
import java.util.List;

/**
 * Which tier {@code auto} sends a question of a given score to: the first entry of the active
 * profile's {@code tierConfig}, in ascending {@code maxScore} with the unbounded one (null) last, whose
 * {@code maxScore} is greater than the score. A tier left out of {@code tierConfig} is never chosen.
 * With the defaults, below 3 is fast, below 7 balanced, the rest powerful.
 */
public final class TierForScore {
    // Ascending limits, the unbounded entry last; among equal limits the profile's order stands.
    private static final Comparator<TierConfig> BY_LIMIT = Comparator.comparing(TierConfig::maxScore,
            Comparator.nullsLast(Comparator.naturalOrder()));

    private TierForScore() {
    }

    /**
     * The tier for {@code score}. When every limit is at or below the score, the entry with the highest
     * limit takes it: a profile that bounds every tier still answers hard questions. An empty
     * {@code tierConfig} is read as the defaults.
     */
    public static Tier choose(double score, List<TierConfig> tierConfig) {
        List<TierConfig> entries = tierConfig.isEmpty() ? ModelProfile.DEFAULT_TIER_CONFIG
                : tierConfig.stream().sorted(BY_LIMIT).toList();
        for (TierConfig entry : entries) {
            if (entry.maxScore() == null || entry.maxScore() > score) {
                return entry.name();
            }
        }
        return entries.get(entries.size() - 1).name();
    }
}
