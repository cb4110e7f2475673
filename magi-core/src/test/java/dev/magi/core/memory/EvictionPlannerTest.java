package dev.magi.core.memory;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The eviction rules")
class EvictionPlannerTest {
    private static final long GIB = 1L << 30;
    private static final Instant T0 = Instant.parse("2026-12-03T08:00:00Z");

    private static LoadedServer idle(String id, long gib, int minute) {
        return new LoadedServer(id, gib * GIB, false, false, T0.plusSeconds(60L * minute));
    }

    private static LoadedServer busy(String id, long gib) {
        return new LoadedServer(id, gib * GIB, false, true, T0);
    }

    private static LoadedServer pinned(String id, long gib) {
        return new LoadedServer(id, gib * GIB, true, false, T0);
    }

    @Test
    @DisplayName("starts without evicting when the model fits beside what runs")
    void fits() {
        EvictionPlan plan = new EvictionPlanner(16 * GIB, 0).plan(4 * GIB, List.of(idle("a", 4, 1), busy("b", 4)));
        assertThat(plan).isEqualTo(new EvictionPlan.Start(List.of()));
    }

    @Test
    @DisplayName("evicts idle, unpinned servers, least recently used first, only as many as it takes")
    void leastRecentlyUsedFirst() {
        List<LoadedServer> loaded = List.of(idle("newest", 4, 30), idle("oldest", 4, 1), idle("middle", 4, 10),
                pinned("pinned", 2));
        EvictionPlan plan = new EvictionPlanner(16 * GIB, 0).plan(8 * GIB, loaded);
        assertThat(plan).isEqualTo(new EvictionPlan.Start(List.of("oldest", "middle")));
    }

    @Test
    @DisplayName("never evicts a busy server: the request waits until one is idle")
    void busyIsNeverEvicted() {
        List<LoadedServer> loaded = List.of(busy("b1", 6), busy("b2", 6), idle("i", 2, 5));
        EvictionPlan plan = new EvictionPlanner(16 * GIB, 0).plan(8 * GIB, loaded);
        assertThat(plan).isInstanceOf(EvictionPlan.Wait.class);
    }

    @Test
    @DisplayName("refuses a model that cannot fit even with every unpinned server stopped, naming the sizes")
    void cannotFit() {
        EvictionPlan plan = new EvictionPlanner(16 * GIB, 0).plan(10 * GIB, List.of(pinned("p", 8), busy("b", 2)));
        assertThat(plan).isInstanceOfSatisfying(EvictionPlan.Refuse.class, refuse -> assertThat(refuse.reason())
                .contains("10 GiB").contains("16 GiB").contains("8 GiB"));
        assertThat(new EvictionPlanner(16 * GIB, 0).plan(17 * GIB, List.of())).isInstanceOf(EvictionPlan.Refuse.class);
    }

    @Test
    @DisplayName("keeps to the number of servers loaded at once, evicting the least recently used idle one")
    void maxLoadedModels() {
        EvictionPlanner planner = new EvictionPlanner(1024 * GIB, 2);
        assertThat(planner.plan(GIB, List.of(idle("old", 1, 1), idle("new", 1, 9))))
                .isEqualTo(new EvictionPlan.Start(List.of("old")));
        assertThat(planner.plan(GIB, List.of(busy("b1", 1), busy("b2", 1)))).isInstanceOf(EvictionPlan.Wait.class);
        assertThat(planner.plan(GIB, List.of(pinned("p1", 1), pinned("p2", 1)))).isInstanceOf(EvictionPlan.Refuse.class);
        assertThat(planner.plan(GIB, List.of(idle("only", 1, 1)))).isEqualTo(new EvictionPlan.Start(List.of()));
    }

    @Test
    @DisplayName("refuses a budget of nothing and a negative model limit")
    void badLimits() {
        assertThatThrownBy(() -> new EvictionPlanner(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EvictionPlanner(GIB, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
