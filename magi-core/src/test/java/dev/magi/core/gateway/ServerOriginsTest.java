package dev.magi.core.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Who started a server, and whether it is pinned")
class ServerOriginsTest {
    private final ServerOrigins origins = new ServerOrigins();

    @Test
    @DisplayName("a server the gateway started is unpinned; nobody said is neither")
    void gatewayStart() {
        assertThat(origins.of("m")).isEmpty();
        assertThat(origins.pinned("m")).isFalse();
        assertThat(origins.unpinnedGatewayStart("m")).isFalse();

        origins.startedByGateway("m");

        assertThat(origins.of("m")).contains(StartedBy.GATEWAY);
        assertThat(origins.pinned("m")).isFalse();
        assertThat(origins.unpinnedGatewayStart("m")).isTrue();
    }

    @Test
    @DisplayName("a start through the API or a profile pins a server, even one the gateway started")
    void apiPins() {
        origins.startedByGateway("m");
        origins.startedThrough("m", StartedBy.API);
        assertThat(origins.of("m")).contains(StartedBy.API);
        assertThat(origins.pinned("m")).isTrue();
        assertThat(origins.unpinnedGatewayStart("m")).isFalse();

        origins.startedThrough("p", StartedBy.PROFILE);
        origins.startedByGateway("p");
        assertThat(origins.of("p")).contains(StartedBy.PROFILE);
        assertThat(origins.pinned("p")).isTrue();
    }

    @Test
    @DisplayName("a stopped server is forgotten, so its next start says again who asked")
    void stoppedForgotten() {
        origins.startedThrough("m", StartedBy.API);
        origins.stopped("m");
        origins.startedByGateway("m");
        assertThat(origins.of("m")).contains(StartedBy.GATEWAY);
        assertThat(origins.pinned("m")).isFalse();
    }

    @Test
    @DisplayName("the gateway's own start is not a way to pin")
    void gatewayIsNoPin() {
        assertThatThrownBy(() -> origins.startedThrough("m", StartedBy.GATEWAY))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
