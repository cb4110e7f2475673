package dev.magi.core.gateway.twostage;

import dev.magi.spi.Tier;

import java.util.Objects;

/**
 * Whether a request runs in two stages, and how.
 *
 * @param skipReason      why it runs in one stage ({@code tools}, {@code response_format}, {@code n},
 *                        {@code logprobs}, {@code low_score}); null when it runs in two
 * @param stage1Tier      the tier that drafts; null when skipped
 * @param stage2Tier      the tier that gives the final answer; null when skipped
 * @param stage1MaxTokens the most tokens the draft may have; 0 when skipped
 */
public record TwoStagePlan(String skipReason, Tier stage1Tier, Tier stage2Tier, int stage1MaxTokens) {

    public TwoStagePlan {
        if (skipReason == null) {
            Objects.requireNonNull(stage1Tier, "stage1Tier");
            Objects.requireNonNull(stage2Tier, "stage2Tier");
            if (stage1MaxTokens < 1) {
                throw new IllegalArgumentException("stage1MaxTokens must be at least 1");
            }
        }
    }

    static TwoStagePlan skip(String reason) {
        return new TwoStagePlan(Objects.requireNonNull(reason, "reason"), null, null, 0);
    }

    public boolean twoStages() {
        return skipReason == null;
    }
}
