package dev.magi.core.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Idle unload")
class IdleUnloadTest {
    private static final Instant T0 = Instant.parse("2026-12-03T08:00:00Z");
    private final IdleUnload rule = new IdleUnload(Duration.ofSeconds(900));

    private static IdleUnload.Server idleSince(String id, int secondsAgo, Integer ttl) {
        return new IdleUnload.Server(id, false, false, T0.minusSeconds(secondsAgo), ttl);
    }

    @Test
    @DisplayName("stops a server started on demand once it has been idle for --idle-ttl, the longest idle first")
    void afterTtl() {
        List<IdleUnload.Server> servers = List.of(idleSince("recent", 899, null), idleSince("old", 2000, null),
                idleSince("exactly", 900, null));
        assertThat(rule.due(servers, T0)).containsExactly("old", "exactly");
        assertThat(rule.expiresAt(idleSince("recent", 899, null))).contains(T0.plusSeconds(1));
    }

    @Test
    @DisplayName("follows a model's own ttlSeconds, where 0 means never")
    void perModelTtl() {
        assertThat(rule.due(List.of(idleSince("short", 61, 60), idleSince("never", 100_000, 0)), T0))
                .containsExactly("short");
        assertThat(rule.expiresAt(idleSince("never", 1, 0))).isEmpty();
    }

    @Test
    @DisplayName("never stops a pinned or a busy server, and nothing at all with --idle-ttl 0")
    void neverPinnedOrBusy() {
        IdleUnload.Server pinned = new IdleUnload.Server("pinned", true, false, T0.minusSeconds(10_000), null);
        IdleUnload.Server busy = new IdleUnload.Server("busy", false, true, T0.minusSeconds(10_000), null);
        assertThat(rule.due(List.of(pinned, busy), T0)).isEmpty();
        assertThat(new IdleUnload(Duration.ZERO).due(List.of(idleSince("old", 10_000, null)), T0)).isEmpty();
        assertThat(new IdleUnload(Duration.ZERO).due(List.of(idleSince("own", 61, 60)), T0)).containsExactly("own");
        assertThatThrownBy(() -> new IdleUnload(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
