package dev.magi.benchmarks.supervision;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("A fixed-interval poller, computed from the spawn and the first 200")
class FixedIntervalPollerTest {
    private static final long SPAWN = 1_000_000_000L;
    private final FixedIntervalPoller everySecond = FixedIntervalPoller.every("every 1 s", 1_000);

    @Test
    @DisplayName("sees a server that answers 200 just after a probe only at the next probe")
    void justAfterAProbe() {
        assertThat(everySecond.seenMicros(SPAWN, SPAWN + 1_000_001)).isEqualTo(SPAWN + 2_000_000);
        assertThat(everySecond.lagMicros(SPAWN, SPAWN + 1_000_001)).isEqualTo(999_999);
    }

    @Test
    @DisplayName("sees a server that answers 200 exactly as a probe is sent at once")
    void onAProbe() {
        assertThat(everySecond.lagMicros(SPAWN, SPAWN + 3_000_000)).isZero();
    }

    @Test
    @DisplayName("probes first as the process is spawned, so a fast server waits for the second probe")
    void firstProbeAtTheSpawn() {
        assertThat(everySecond.seenMicros(SPAWN, SPAWN + 180_000)).isEqualTo(SPAWN + 1_000_000);
        assertThat(FixedIntervalPoller.every("every 250 ms", 250).lagMicros(SPAWN, SPAWN + 180_000))
                .isEqualTo(70_000);
    }

    @Test
    @DisplayName("with a first wait, as llama-swap's, sees a server ready before that wait at its end")
    void firstWait() {
        FixedIntervalPoller llamaSwap = new FixedIntervalPoller("llama-swap", 250_000, 5_000_000);

        assertThat(llamaSwap.seenMicros(SPAWN, SPAWN + 180_000)).isEqualTo(SPAWN + 250_000);
        assertThat(llamaSwap.seenMicros(SPAWN, SPAWN + 250_001)).isEqualTo(SPAWN + 5_250_000);
    }

    @Test
    @DisplayName("refuses a negative wait and an interval that is not positive")
    void refusesNonsense() {
        assertThatThrownBy(() -> new FixedIntervalPoller("x", -1, 1_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FixedIntervalPoller("x", 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
