package dev.magi.core.gateway;

import dev.magi.spi.Tier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Sessions and auto's spill-up")
class SessionsAndSpillUpTest {

    /** A clock the test moves by hand. */
    private static final class HandClock extends Clock {
        private Instant now = Instant.parse("2026-12-03T08:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    @DisplayName("a session keeps its model, and auto never moves it down a tier within 30 minutes")
    void sessionMemory() {
        HandClock clock = new HandClock();
        SessionMemory sessions = new SessionMemory(100, SessionMemory.DEFAULT_TIER_HOLD, clock);
        sessions.served("chat-1", "big", Tier.POWERFUL);
        assertThat(sessions.lastModel("chat-1")).contains("big");
        assertThat(sessions.tierFloor("chat-1")).contains(Tier.POWERFUL);
        clock.now = clock.now.plus(Duration.ofMinutes(29));
        assertThat(sessions.tierFloor("chat-1")).contains(Tier.POWERFUL);
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(sessions.tierFloor("chat-1")).isEmpty();
        assertThat(sessions.lastModel("chat-1")).contains("big");
        assertThat(sessions.lastModel("other")).isEmpty();
        assertThat(sessions.lastModel(null)).isEmpty();
    }

    @Test
    @DisplayName("holds a bounded number of sessions, forgetting the least recently seen")
    void bounded() {
        SessionMemory sessions = new SessionMemory(3, SessionMemory.DEFAULT_TIER_HOLD, new HandClock());
        for (int i = 0; i < 10_000; i++) {
            sessions.served("s" + i, "m", Tier.FAST);
        }
        assertThat(sessions.size()).isEqualTo(3);
        assertThat(sessions.lastModel("s9999")).contains("m");
        assertThat(sessions.lastModel("s0")).isEmpty();
    }

    @Test
    @DisplayName("a very long session id is kept as a digest: bounded in bytes, still told apart from another")
    void longSessionIds() {
        SessionMemory sessions = new SessionMemory(10, SessionMemory.DEFAULT_TIER_HOLD, new HandClock());
        String first = "x".repeat(1_000_000) + "1";
        String second = "x".repeat(1_000_000) + "2";
        sessions.served(first, "big", Tier.POWERFUL);
        sessions.served(second, "small", Tier.FAST);

        assertThat(sessions.lastModel(first)).contains("big");
        assertThat(sessions.lastModel(second)).contains("small");
        assertThat(SessionMemory.key(first)).hasSizeLessThanOrEqualTo(SessionMemory.MAX_KEPT_CHARS)
                .isNotEqualTo(SessionMemory.key(second));
        assertThat(SessionMemory.key("chat-1")).isEqualTo("chat-1");
    }

    @Test
    @DisplayName("auto spills up to a higher tier with a free server instead of waiting, never down")
    void spillUp() {
        Map<Tier, List<String>> tiers = Map.of(Tier.FAST, List.of("small"), Tier.BALANCED, List.of("mid"),
                Tier.POWERFUL, List.of("big"));
        Function<Tier, List<String>> candidates = tiers::get;
        ServerLoad bigFree = new ServerLoad("big", true, true, 0, 0, 4);
        ServerLoad smallFree = new ServerLoad("small", true, true, 0, 0, 4);
        ServerLoad smallFull = new ServerLoad("small", true, true, 4, 0, 4);
        assertThat(SpillUp.tier(Tier.FAST, candidates, Map.of("big", bigFree))).isEqualTo(Tier.POWERFUL);
        assertThat(SpillUp.tier(Tier.FAST, candidates, Map.of("small", smallFree, "big", bigFree)))
                .isEqualTo(Tier.FAST);
        assertThat(SpillUp.tier(Tier.FAST, candidates, Map.of("small", smallFull, "big", bigFree)))
                .isEqualTo(Tier.POWERFUL);
        assertThat(SpillUp.tier(Tier.POWERFUL, candidates, Map.of("small", smallFree))).as("never down")
                .isEqualTo(Tier.POWERFUL);
        assertThat(SpillUp.tier(Tier.BALANCED, candidates, Map.of())).isEqualTo(Tier.BALANCED);
    }
}
