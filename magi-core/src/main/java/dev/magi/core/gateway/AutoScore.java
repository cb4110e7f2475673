package dev.magi.core.gateway;

import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;

import java.util.Objects;

/**
 * How {@code auto} judged a request, for what is decided outside the gateway's queues (two stages).
 *
 * @param score    the question's score
 * @param tier     the tier it scored to, its session's floor applied
 * @param twoStage the active profile's two-stage settings (their defaults, off, without a profile)
 */
public record AutoScore(double score, Tier tier, TwoStage twoStage) {
    public AutoScore {
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(twoStage, "twoStage");
    }
}
