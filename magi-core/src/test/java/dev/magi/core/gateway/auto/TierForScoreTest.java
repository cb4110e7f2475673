package dev.magi.core.gateway.auto;

import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.TierConfig;
import dev.magi.spi.Tier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The tier auto chooses for a score")
class TierForScoreTest {

    @ParameterizedTest(name = "{0} goes to {1}")
    @DisplayName("with the default tierConfig: below 3 fast, below 7 balanced, else powerful")
    @CsvSource({"0, FAST", "0.65, FAST", "2.9999, FAST", "3.0, BALANCED", "6.99, BALANCED", "7.0, POWERFUL",
        "7.25, POWERFUL", "1e9, POWERFUL"})
    void defaults(double score, Tier expected) {
        assertThat(TierForScore.choose(score, ModelProfile.DEFAULT_TIER_CONFIG)).isEqualTo(expected);
    }

    @Test
    @DisplayName("orders the entries by their limit, the unbounded one last, whatever the profile's order")
    void ordersByLimit() {
        List<TierConfig> shuffled = List.of(new TierConfig(Tier.POWERFUL, null, 15),
                new TierConfig(Tier.BALANCED, 7.0, 5), new TierConfig(Tier.FAST, 3.0, 2));
        assertThat(TierForScore.choose(1, shuffled)).isEqualTo(Tier.FAST);
        assertThat(TierForScore.choose(5, shuffled)).isEqualTo(Tier.BALANCED);
        assertThat(TierForScore.choose(9, shuffled)).isEqualTo(Tier.POWERFUL);
    }

    @Test
    @DisplayName("never chooses a tier left out of tierConfig")
    void leftOutTier() {
        List<TierConfig> noBalanced = List.of(new TierConfig(Tier.FAST, 3.0, 2), new TierConfig(Tier.POWERFUL, null, 15));
        assertThat(TierForScore.choose(5, noBalanced)).isEqualTo(Tier.POWERFUL);
        assertThat(TierForScore.choose(2, List.of(new TierConfig(Tier.POWERFUL, null, 15)))).isEqualTo(Tier.POWERFUL);
    }

    @Test
    @DisplayName("gives a score above every limit to the entry with the highest one")
    void aboveEveryLimit() {
        List<TierConfig> bounded = List.of(new TierConfig(Tier.FAST, 3.0, 2), new TierConfig(Tier.BALANCED, 7.0, 5));
        assertThat(TierForScore.choose(10, bounded)).isEqualTo(Tier.BALANCED);
    }

    @Test
    @DisplayName("reads an empty tierConfig as the defaults")
    void emptyIsDefault() {
        assertThat(TierForScore.choose(0.65, List.of())).isEqualTo(Tier.FAST);
        assertThat(TierForScore.choose(7.25, List.of())).isEqualTo(Tier.POWERFUL);
    }

    @Test
    @DisplayName("sends the contract's two examples, scored by the keywords scorer, to fast and powerful")
    void examplesEndToEnd() {
        KeywordComplexityScorer scorer = new KeywordComplexityScorer();
        assertThat(TierForScore.choose(scorer.score("What is Python?"), List.of())).isEqualTo(Tier.FAST);
        assertThat(TierForScore.choose(scorer.score("Analyze X and compare Y"), List.of())).isEqualTo(Tier.POWERFUL);
    }
}
