package dev.magi.core.gateway;

import dev.magi.core.memory.EvictionPlan;
import dev.magi.core.memory.LoadedServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Whether the gateway may start a model within the memory budget")
class MemoryAdmissionTest {
    private static final long GIB = 1L << 30;

    private static LoadedServer idle(String id, long bytes, int lastUsedSecond) {
        return new LoadedServer(id, bytes, false, false, Instant.ofEpochSecond(lastUsedSecond));
    }

    private static LoadedServer busy(String id, long bytes) {
        return new LoadedServer(id, bytes, false, true, Instant.EPOCH);
    }

    private static LoadedServer pinned(String id, long bytes) {
        return new LoadedServer(id, bytes, true, false, Instant.EPOCH);
    }

    @Test
    @DisplayName("starts at once when it fits beside what runs")
    void fits() {
        MemoryAdmission admission = new MemoryAdmission(10 * GIB, 0);
        assertThat(admission.plan("new", 4 * GIB, List.of(idle("a", 4 * GIB, 1))))
                .isEqualTo(new EvictionPlan.Start(List.of()));
    }

    @Test
    @DisplayName("stops idle servers the gateway started, least recently used first, until it fits")
    void evictsLeastRecentlyUsed() {
        MemoryAdmission admission = new MemoryAdmission(10 * GIB, 0);
        List<LoadedServer> loaded = List.of(idle("recent", 3 * GIB, 30), idle("old", 3 * GIB, 10),
                idle("middle", 3 * GIB, 20));
        assertThat(admission.plan("new", 5 * GIB, loaded)).isEqualTo(new EvictionPlan.Start(List.of("old", "middle")));
    }

    @Test
    @DisplayName("with --max-loaded-models, stops the least recently used idle server to free a place")
    void modelLimit() {
        MemoryAdmission admission = new MemoryAdmission(100 * GIB, 2);
        List<LoadedServer> loaded = List.of(idle("recent", GIB, 30), idle("old", GIB, 10));
        assertThat(admission.plan("new", GIB, loaded)).isEqualTo(new EvictionPlan.Start(List.of("old")));
        assertThat(admission.plan("new", null, loaded)).as("an unknown estimate still takes a place")
                .isEqualTo(new EvictionPlan.Start(List.of("old")));
    }

    @Test
    @DisplayName("waits when only a busy server could make room: it is never stopped")
    void waitsForBusy() {
        MemoryAdmission admission = new MemoryAdmission(10 * GIB, 0);
        assertThat(admission.plan("new", 6 * GIB, List.of(busy("a", 6 * GIB), idle("b", 2 * GIB, 1))))
                .isInstanceOf(EvictionPlan.Wait.class);
        assertThat(admission.startsNow("new", 6 * GIB, List.of(busy("a", 6 * GIB)))).isFalse();
        assertThat(admission.startsNow("new", 6 * GIB, List.of(idle("a", 6 * GIB, 1)))).isTrue();
    }

    @Test
    @DisplayName("refuses insufficient_memory a model bigger than the budget, naming its size and the budget")
    void tooBig() {
        MemoryAdmission admission = new MemoryAdmission(8 * GIB, 0);
        assertThatThrownBy(() -> admission.plan("huge", 9 * GIB, List.of()))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error()).isEqualTo(GatewayError.INSUFFICIENT_MEMORY);
                    assertThat(e.param()).isEqualTo("model");
                    assertThat(e.getMessage()).contains("'huge'", "9 GiB", "8 GiB", "--memory-budget",
                            "0 servers started through the API or a profile");
                });
        assertThat(admission.startsNow("huge", 9 * GIB, List.of())).isFalse();
    }

    @Test
    @DisplayName("never stops a pinned server: what pinned servers hold is out of reach, and the refusal says how much")
    void pinnedNeverEvicted() {
        MemoryAdmission admission = new MemoryAdmission(10 * GIB, 0);
        assertThatThrownBy(() -> admission.plan("new", 6 * GIB, List.of(pinned("api", 5 * GIB))))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error()).isEqualTo(GatewayError.INSUFFICIENT_MEMORY);
                    assertThat(e.getMessage()).contains("6 GiB", "10 GiB", "1 server started through the API or a"
                            + " profile, never stopped to make room, holds 5 GiB");
                });
        MemoryAdmission oneAtATime = new MemoryAdmission(100 * GIB, 1);
        assertThatThrownBy(() -> oneAtATime.plan("new", GIB, List.of(pinned("api", GIB))))
                .isInstanceOfSatisfying(GatewayException.class,
                        e -> assertThat(e.getMessage()).contains("--max-loaded-models is 1"));
    }

    @Test
    @DisplayName("does not count the model's own server against itself, and adds up what runs")
    void ownServerAndReserved() {
        MemoryAdmission admission = new MemoryAdmission(10 * GIB, 1);
        assertThat(admission.plan("same", 6 * GIB, List.of(busy("same", 6 * GIB))))
                .isEqualTo(new EvictionPlan.Start(List.of()));
        assertThat(MemoryAdmission.reservedBytes(List.of(busy("a", GIB), pinned("b", 2 * GIB)))).isEqualTo(3 * GIB);
        assertThat(admission.budgetBytes()).isEqualTo(10 * GIB);
        assertThat(admission.maxLoadedModels()).isEqualTo(1);
    }
}
