package dev.magi.core.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The refusal of a request for a model in restart back-off")
class BackOffRefusalTest {
    private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

    @Test
    @DisplayName("is 503 model_backoff, naming the model, with the seconds until the restart rounded up")
    void refused() {
        GatewayException refusal = BackOffRefusal.of("qwen3-4b", Optional.of(NOW.plusMillis(3_200)), NOW)
                .orElseThrow();

        assertThat(refusal.error()).isEqualTo(GatewayError.MODEL_BACKOFF);
        assertThat(refusal.error().httpStatus()).isEqualTo(503);
        assertThat(refusal.retryAfterSeconds()).isEqualTo(4);
        assertThat(refusal.param()).isEqualTo("model");
        assertThat(refusal.getMessage()).contains("qwen3-4b").contains("4 s");
    }

    @Test
    @DisplayName("asks to wait at least a second, even when the restart is due now")
    void atLeastASecond() {
        assertThat(BackOffRefusal.of("m", Optional.of(NOW), NOW).orElseThrow().retryAfterSeconds()).isEqualTo(1);
        assertThat(BackOffRefusal.of("m", Optional.of(NOW.minusSeconds(2)), NOW).orElseThrow().retryAfterSeconds())
                .isEqualTo(1);
    }

    @Test
    @DisplayName("is no refusal when no restart waits")
    void noBackOff() {
        assertThat(BackOffRefusal.of("m", Optional.empty(), NOW)).isEmpty();
    }

    @Test
    @DisplayName("after a failed start is 503 model_backoff, saying the start failed and when to ask again")
    void afterFailedStart() {
        GatewayException refusal = BackOffRefusal.afterFailure("qwen3-4b", Optional.of(NOW.plusMillis(1_500)), NOW)
                .orElseThrow();

        assertThat(refusal.error()).isEqualTo(GatewayError.MODEL_BACKOFF);
        assertThat(refusal.retryAfterSeconds()).isEqualTo(2);
        assertThat(refusal.param()).isEqualTo("model");
        assertThat(refusal.getMessage()).contains("qwen3-4b").contains("failed to start").contains("2 s");
        assertThat(BackOffRefusal.afterFailure("m", Optional.empty(), NOW)).isEmpty();
    }
}
