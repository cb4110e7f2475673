package dev.magi.core.gateway;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.Tier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.magi.core.gateway.Models.broken;
import static dev.magi.core.gateway.Models.model;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("A tier's candidates and escalation")
class CandidatesTest {

    @Test
    @DisplayName("are the enabled, runnable models of the tier, in the profile's order, then by id")
    void candidates() {
        List<DiscoveredModel> models = List.of(model("c", Tier.FAST, true), model("a", Tier.FAST, true),
                model("b", Tier.FAST, true), model("off", Tier.FAST, false), broken("split", Tier.FAST),
                model("big", Tier.POWERFUL, true),
                model("moved", Tier.POWERFUL, true).toBuilder().tierOverride(Tier.FAST).build());
        assertThat(Candidates.of(Tier.FAST, models, List.of())).containsExactly("a", "b", "c", "moved");
        assertThat(Candidates.of(Tier.FAST, models, List.of("c", "unknown", "moved")))
                .containsExactly("c", "moved", "a", "b");
        assertThat(Candidates.of(Tier.BALANCED, models, List.of())).isEmpty();
    }

    @Test
    @DisplayName("escalate to the higher tiers upwards first, then to the lower ones downwards")
    void escalationOrder() {
        assertThat(Candidates.escalation(Tier.FAST)).containsExactly(Tier.FAST, Tier.BALANCED, Tier.POWERFUL);
        assertThat(Candidates.escalation(Tier.BALANCED)).containsExactly(Tier.BALANCED, Tier.POWERFUL, Tier.FAST);
        assertThat(Candidates.escalation(Tier.POWERFUL)).containsExactly(Tier.POWERFUL, Tier.BALANCED, Tier.FAST);
    }

    @Test
    @DisplayName("serve a tier without candidates from the next tier that has some")
    void escalates() {
        List<DiscoveredModel> models = List.of(model("small", Tier.FAST, true), model("big", Tier.POWERFUL, true));
        assertThat(Candidates.forTier(Tier.BALANCED, models, List.of()))
                .isEqualTo(new Candidates.TierCandidates(Tier.POWERFUL, List.of("big")));
        List<DiscoveredModel> onlySmall = List.of(model("small", Tier.FAST, true));
        assertThat(Candidates.forTier(Tier.POWERFUL, onlySmall, List.of()).tier()).isEqualTo(Tier.FAST);
    }

    @Test
    @DisplayName("answer no_available_model when no tier has a candidate")
    void noneAnywhere() {
        List<DiscoveredModel> models = List.of(model("off", Tier.FAST, false), broken("split", Tier.BALANCED));
        assertThatThrownBy(() -> Candidates.forTier(Tier.FAST, models, List.of()))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error()).isEqualTo(GatewayError.NO_AVAILABLE_MODEL);
                    assertThat(e.error().httpStatus()).isEqualTo(503);
                });
    }
}
