package dev.magi.core.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The start back-off of a model whose server was left failed")
class StartBackOffTest {
    private static final Instant T0 = Instant.parse("2025-01-02T03:04:05Z");
    private final StartBackOff backOff = new StartBackOff(Duration.ofSeconds(1), Duration.ofSeconds(60));

    private void fails(String id, Instant at) {
        backOff.failed(id, at);
    }

    @Test
    @DisplayName("lasts the first restart delay after one failure, and is over once it has passed")
    void afterOneFailure() {
        fails("m", T0);

        assertThat(backOff.until("m", T0)).contains(T0.plusSeconds(1));
        assertThat(backOff.until("m", T0.plusMillis(999))).contains(T0.plusSeconds(1));
        assertThat(backOff.until("m", T0.plusSeconds(1))).isEmpty();
        assertThat(backOff.until("other", T0)).isEmpty();
    }

    @Test
    @DisplayName("doubles with each failure in a row, up to the longest delay")
    void doubles() {
        Instant at = T0;
        for (int failure = 1; failure <= 8; failure++) {
            fails("m", at);
            long expected = Math.min(60, 1L << (failure - 1));
            assertThat(backOff.until("m", at)).as("failure %d", failure).contains(at.plusSeconds(expected));
            at = at.plusSeconds(expected);
        }
        assertThat(backOff.delay(1_000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("forgets the failures once the server is ready: the next failure backs off the first delay again")
    void clearedByReady() {
        fails("m", T0);
        fails("m", T0.plusSeconds(1));
        assertThat(backOff.until("m", T0.plusSeconds(1))).contains(T0.plusSeconds(3));

        backOff.ready("m");
        assertThat(backOff.until("m", T0.plusSeconds(1))).isEmpty();
        fails("m", T0.plusSeconds(10));
        assertThat(backOff.until("m", T0.plusSeconds(10))).contains(T0.plusSeconds(11));
    }

    @Test
    @DisplayName("refuses a first delay of zero or one longer than the longest")
    void badDelays() {
        assertThatThrownBy(() -> new StartBackOff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StartBackOff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
