package dev.magi.core.gateway;

import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.Strategy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Candidates in back-off")
class BackOffAvoidanceTest {
    private final Balancer balancer = new Balancer(new Random(1));

    @Test
    @DisplayName("are left out while another candidate of the tier can serve, in the tier's order")
    void leftOut() {
        assertThat(BackOffAvoidance.servable(List.of("a", "b", "c"), Set.of("a")::contains))
                .containsExactly("b", "c");
        assertThat(BackOffAvoidance.servable(List.of("a", "b", "c"), Set.of("b")::contains))
                .containsExactly("a", "c");
        assertThat(BackOffAvoidance.servable(List.of("a", "b"), Set.of()::contains)).containsExactly("a", "b");
    }

    @Test
    @DisplayName("are all kept when every candidate is in back-off, so the chosen one says when to ask again")
    void allInBackOff() {
        assertThat(BackOffAvoidance.servable(List.of("a", "b"), Set.of("a", "b")::contains))
                .containsExactly("a", "b");
    }

    @Test
    @DisplayName("are not chosen by the balancer: balancing off takes the next candidate, on starts a stopped one")
    void balancerFallsToTheOther() {
        List<String> tier = List.of("first", "second");
        List<String> servable = BackOffAvoidance.servable(tier, Set.of("first")::contains);
        // The first candidate crashed and waits for its restart: it counts as running, not ready.
        Map<String, ServerLoad> running = Map.of("first", new ServerLoad("first", false, true, 0, 0, 1));

        assertThat(balancer.choose("fast", servable, running, new LoadBalancing(false, Strategy.ROUND_ROBIN, 30),
                null, id -> true)).isEqualTo(new Decision.Start("second"));
        assertThat(balancer.choose("fast", servable, running, LoadBalancing.DEFAULT, "first", id -> true))
                .isEqualTo(new Decision.Start("second"));
        // Without the rule the balancer would queue on the one in back-off.
        assertThat(balancer.choose("fast", tier, running, new LoadBalancing(false, Strategy.ROUND_ROBIN, 30),
                null, id -> true)).isEqualTo(new Decision.Queue("first"));
    }
}
