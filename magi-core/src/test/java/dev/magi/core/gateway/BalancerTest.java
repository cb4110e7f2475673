package dev.magi.core.gateway;

import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.Strategy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The balancer")
class BalancerTest {
    private static final LoadBalancing ROUND_ROBIN = new LoadBalancing(true, Strategy.ROUND_ROBIN, 30);
    private static final LoadBalancing LEAST_LOADED = new LoadBalancing(true, Strategy.LEAST_LOADED, 30);
    private static final LoadBalancing RANDOM = new LoadBalancing(true, Strategy.RANDOM, 30);
    private static final LoadBalancing OFF = new LoadBalancing(false, Strategy.ROUND_ROBIN, 30);
    private static final Predicate<String> ADMIT_ALL = id -> true;
    private static final Predicate<String> ADMIT_NONE = id -> false;

    private final Balancer balancer = new Balancer(new Random(42));

    private static ServerLoad free(String id, int inFlight, int slots) {
        return new ServerLoad(id, true, true, inFlight, 0, slots);
    }

    private static Map<String, ServerLoad> running(ServerLoad... loads) {
        Map<String, ServerLoad> running = new HashMap<>();
        for (ServerLoad load : loads) {
            running.put(load.modelId(), load);
        }
        return running;
    }

    @Test
    @DisplayName("round robin rotates over the free servers, each pool on its own")
    void roundRobin() {
        Map<String, ServerLoad> running = running(free("a", 0, 4), free("b", 3, 4), free("c", 0, 4));
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            chosen.add(balancer.choose("fast", List.of("a", "b", "c"), running, ROUND_ROBIN, null, ADMIT_ALL).modelId());
        }
        assertThat(chosen).containsExactly("a", "b", "c", "a", "b", "c");
        assertThat(balancer.choose("powerful", List.of("a", "b"), running, ROUND_ROBIN, null, ADMIT_ALL))
                .isEqualTo(new Decision.Use("a"));
    }

    @Test
    @DisplayName("least loaded takes the lowest (in flight + queued) / slots, so a bigger server takes more")
    void leastLoaded() {
        Map<String, ServerLoad> running = running(free("small", 1, 2), free("big", 3, 8), free("mid", 2, 4));
        assertThat(balancer.choose("t", List.of("small", "big", "mid"), running, LEAST_LOADED, null, ADMIT_ALL))
                .isEqualTo(new Decision.Use("big"));
    }

    @Test
    @DisplayName("random picks every free server, and only free ones")
    void random() {
        Map<String, ServerLoad> running = running(free("a", 0, 1), free("b", 0, 1), free("full", 1, 1));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            Decision decision = balancer.choose("t", List.of("a", "b", "full"), running, RANDOM, null, ADMIT_ALL);
            counts.merge(decision.modelId(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("a", "b");
    }

    @Test
    @DisplayName("skips servers that are full, unhealthy or still starting")
    void onlyFreeServers() {
        Map<String, ServerLoad> running = running(free("full", 2, 2), new ServerLoad("sick", true, false, 0, 0, 4),
                new ServerLoad("starting", false, true, 0, 0, 4), free("ok", 1, 2));
        for (int i = 0; i < 4; i++) {
            assertThat(balancer.choose("t", List.of("full", "sick", "starting", "ok"), running, ROUND_ROBIN, null,
                    ADMIT_ALL)).isEqualTo(new Decision.Use("ok"));
        }
    }

    @Test
    @DisplayName("keeps a session on its server while it has a free slot, and moves it when not")
    void sessionAffinity() {
        Map<String, ServerLoad> running = running(free("a", 0, 4), free("b", 0, 4));
        for (int i = 0; i < 3; i++) {
            assertThat(balancer.choose("t", List.of("a", "b"), running, ROUND_ROBIN, "b", ADMIT_ALL))
                    .isEqualTo(new Decision.Use("b"));
        }
        Map<String, ServerLoad> bFull = running(free("a", 0, 4), free("b", 4, 4));
        assertThat(balancer.choose("t", List.of("a", "b"), bFull, ROUND_ROBIN, "b", ADMIT_ALL))
                .isEqualTo(new Decision.Use("a"));
    }

    @Test
    @DisplayName("starts the next stopped candidate when none is free and memory admits it")
    void startsNext() {
        Map<String, ServerLoad> running = running(free("a", 4, 4));
        assertThat(balancer.choose("t", List.of("a", "b", "c"), running, ROUND_ROBIN, null, ADMIT_ALL))
                .isEqualTo(new Decision.Start("b"));
        assertThat(balancer.choose("t", List.of("a", "b", "c"), running, ROUND_ROBIN, null, id -> id.equals("c")))
                .isEqualTo(new Decision.Start("c"));
        assertThat(balancer.choose("t", List.of("a", "b"), Map.of(), ROUND_ROBIN, null, ADMIT_ALL))
                .isEqualTo(new Decision.Start("a"));
    }

    @Test
    @DisplayName("queues on the least loaded ready server when memory admits no start")
    void queues() {
        Map<String, ServerLoad> running = running(new ServerLoad("a", true, true, 4, 9, 4),
                new ServerLoad("b", true, true, 4, 1, 4), new ServerLoad("sick", true, false, 0, 0, 4));
        assertThat(balancer.choose("t", List.of("a", "b", "sick", "stopped"), running, ROUND_ROBIN, null, ADMIT_NONE))
                .isEqualTo(new Decision.Queue("b"));
        Map<String, ServerLoad> starting = running(new ServerLoad("warming", false, true, 0, 3, 1));
        assertThat(balancer.choose("t", List.of("stopped", "warming"), starting, ROUND_ROBIN, null, ADMIT_NONE))
                .isEqualTo(new Decision.Queue("warming"));
        assertThat(balancer.choose("t", List.of("x", "y"), Map.of(), ROUND_ROBIN, null, ADMIT_NONE))
                .as("nothing runs: the first starts and the memory rules decide").isEqualTo(new Decision.Start("x"));
    }

    @Test
    @DisplayName("with balancing off, always the first candidate: used, started or queued on")
    void off() {
        assertThat(balancer.choose("t", List.of("a", "b"), running(free("b", 0, 4)), OFF, "b", ADMIT_ALL))
                .isEqualTo(new Decision.Start("a"));
        assertThat(balancer.choose("t", List.of("a", "b"), running(free("a", 0, 1), free("b", 0, 4)), OFF, null,
                ADMIT_ALL)).isEqualTo(new Decision.Use("a"));
        assertThat(balancer.choose("t", List.of("a", "b"), running(free("a", 1, 1), free("b", 0, 4)), OFF, null,
                ADMIT_ALL)).isEqualTo(new Decision.Queue("a"));
    }
}
