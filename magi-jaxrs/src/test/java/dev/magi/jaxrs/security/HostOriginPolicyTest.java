package dev.magi.jaxrs.security;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The Host and Origin policy")
class HostOriginPolicyTest {
    private static final HostOriginPolicy LOOPBACK = new HostOriginPolicy("127.0.0.1", List.of(), List.of());

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"localhost", "localhost:8000", "LocalHost:8000", "127.0.0.1", "127.0.0.1:8000",
            "[::1]", "[::1]:8000", "localhost.:8000"})
    @DisplayName("answers the localhost names with or without a port")
    void localNames(String host) {
        assertThat(LOOPBACK.hostAllowed(host)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.nip.io:8000",
            "10.0.0.5:8000", "[fe80::1]:8000"})
    @DisplayName("refuses other names, and other addresses when bound to one")
    void otherNames(String host) {
        assertThat(LOOPBACK.hostAllowed(host)).isFalse();
    }

    @Test
    @DisplayName("answers the bound address, and any address literal but no name when bound to every interface")
    void boundAddress() {
        assertThat(new HostOriginPolicy("10.0.0.5", List.of(), List.of()).hostAllowed("10.0.0.5:8000")).isTrue();
        assertThat(new HostOriginPolicy("box.lan", List.of(), List.of()).hostAllowed("box.lan:8000")).isTrue();
        assertThat(new HostOriginPolicy("::1", List.of(), List.of()).hostAllowed("[::1]:8000")).isTrue();
        HostOriginPolicy everywhere = new HostOriginPolicy("0.0.0.0", List.of(), List.of());
        assertThat(everywhere.hostAllowed("192.168.1.20:8000")).isTrue();
        assertThat(everywhere.hostAllowed("[fe80::1]:8000")).isTrue();
        assertThat(everywhere.hostAllowed("evil.example:8000")).isFalse();
    }

    @Test
    @DisplayName("answers the names of --allowed-hosts, a name with a port on that port only, and any with *")
    void allowedHosts() {
        HostOriginPolicy policy = new HostOriginPolicy("127.0.0.1", List.of("magi.example", "box.lan:8000"),
                List.of());
        assertThat(policy.hostAllowed("magi.example")).isTrue();
        assertThat(policy.hostAllowed("MAGI.example:443")).isTrue();
        assertThat(policy.hostAllowed("box.lan:8000")).isTrue();
        assertThat(policy.hostAllowed("box.lan:9000")).isFalse();
        assertThat(policy.hostAllowed("evil.example")).isFalse();
        assertThat(new HostOriginPolicy("127.0.0.1", List.of("*"), List.of()).hostAllowed("evil.example")).isTrue();
    }

    @Test
    @DisplayName("lets a request without Origin change state, and one from MAGI's own origin over either scheme")
    void ownOrigin() {
        assertThat(LOOPBACK.originAllowed(null, "127.0.0.1:8000")).isTrue();
        assertThat(LOOPBACK.originAllowed("http://127.0.0.1:8000", "127.0.0.1:8000")).isTrue();
        assertThat(LOOPBACK.originAllowed("https://magi.example", "magi.example")).isTrue();
        assertThat(LOOPBACK.originAllowed("http://127.0.0.1:9000", "127.0.0.1:8000")).isFalse();
        assertThat(LOOPBACK.originAllowed("http://localhost:8000", "127.0.0.1:8000")).isFalse();
        assertThat(LOOPBACK.originAllowed("http://evil.example", "127.0.0.1:8000")).isFalse();
        assertThat(LOOPBACK.originAllowed("null", "127.0.0.1:8000")).isFalse();
        assertThat(LOOPBACK.originAllowed("ftp://127.0.0.1:8000", "127.0.0.1:8000")).isFalse();
    }

    @Test
    @DisplayName("lets the origins of --allowed-origins change state, and any with *")
    void allowedOrigins() {
        HostOriginPolicy policy = new HostOriginPolicy("127.0.0.1", List.of(), List.of("https://tools.example"));
        assertThat(policy.originAllowed("https://tools.example", "127.0.0.1:8000")).isTrue();
        assertThat(policy.originAllowed("HTTPS://Tools.example", "127.0.0.1:8000")).isTrue();
        assertThat(policy.originAllowed("http://tools.example", "127.0.0.1:8000")).isFalse();
        assertThat(new HostOriginPolicy("127.0.0.1", List.of(), List.of("*"))
                .originAllowed("http://evil.example", "127.0.0.1:8000")).isTrue();
    }
}
