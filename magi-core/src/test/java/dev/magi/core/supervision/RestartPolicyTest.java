package dev.magi.core.supervision;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The restart policy of a server")
class RestartPolicyTest {
    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");

    private static RestartPolicy policy(int crashLimit) {
        return new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), crashLimit, Duration.ofMinutes(10));
    }

    @Test
    @DisplayName("waits 1, 2, 4 ... seconds for the first, second, third ... crash, at most a minute")
    void backOff() {
        RestartPolicy policy = policy(100);

        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8).stream().map(policy::backOff).toList()).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("restarts after each crash, waiting longer each time")
    void restartsWithGrowingBackOff() {
        RestartPolicy policy = policy(5);

        assertThat(policy.crashed(T0)).contains(Duration.ofSeconds(1));
        assertThat(policy.crashed(T0.plusSeconds(30))).contains(Duration.ofSeconds(2));
        assertThat(policy.crashed(T0.plusSeconds(60))).contains(Duration.ofSeconds(4));
        assertThat(policy.crashesInWindow()).isEqualTo(3);
    }

    @Test
    @DisplayName("gives up at the fifth crash within ten minutes")
    void givesUpAtTheLimit() {
        RestartPolicy policy = policy(5);
        for (int i = 0; i < 4; i++) {
            assertThat(policy.crashed(T0.plusSeconds(i * 60L))).isPresent();
        }

        Optional<Duration> fifth = policy.crashed(T0.plusSeconds(9 * 60));

        assertThat(fifth).isEmpty();
        assertThat(policy.crashesInWindow()).isEqualTo(5);
        assertThat(policy.window()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    @DisplayName("counts only the crashes of the last ten minutes, a crash exactly ten minutes old included")
    void countsWithinTheWindow() {
        RestartPolicy policy = policy(5);
        policy.crashed(T0);
        policy.crashed(T0.plusSeconds(60));
        policy.crashed(T0.plusSeconds(120));

        assertThat(policy.crashed(T0.plusSeconds(10 * 60 + 30))).as("the first is forgotten").contains(
                Duration.ofSeconds(4));
        assertThat(policy.crashesInWindow()).isEqualTo(3);
        assertThat(policy.crashed(T0.plusSeconds(60 + 10 * 60))).as("the second is exactly ten minutes old")
                .contains(Duration.ofSeconds(8));
        assertThat(policy.crashesInWindow()).isEqualTo(4);
    }

    @Test
    @DisplayName("begins a new history once the crashes are forgotten")
    void forgets() {
        RestartPolicy policy = policy(5);
        for (int i = 0; i < 4; i++) {
            policy.crashed(T0.plusSeconds(i));
        }

        policy.forget();

        assertThat(policy.crashed(T0.plusSeconds(5))).contains(Duration.ofSeconds(1));
        assertThat(policy.crashesInWindow()).isEqualTo(1);
    }
}
