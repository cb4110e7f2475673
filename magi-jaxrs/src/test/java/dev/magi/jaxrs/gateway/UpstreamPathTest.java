package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("What /upstream passes on of a path")
class UpstreamPathTest {

    @Test
    @DisplayName("a path and its query pass unchanged, still encoded")
    void passesUnchanged() {
        assertThat(UpstreamPath.of("/props", null)).isEqualTo("/props");
        assertThat(UpstreamPath.of("/slots", "fail_on_no_slot=1&x=a%20b")).isEqualTo("/slots?fail_on_no_slot=1&x=a%20b");
        assertThat(UpstreamPath.of("/a%20b/c..d/.well-known", null)).isEqualTo("/a%20b/c..d/.well-known");
    }

    @Test
    @DisplayName("no path is the server's root, its web page")
    void emptyIsRoot() {
        assertThat(UpstreamPath.of("", null)).isEqualTo("/");
        assertThat(UpstreamPath.of(null, "q=1")).isEqualTo("/?q=1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/../etc/passwd", "/a/../../b", "/.", "/%2e%2e/x", "/%2E%2e", "/.%2e/x",
        "/a%2f..%2fb", "/a%2Fb", "/a%5cb", "/a%00b", "/a%0d%0ab", "/a%zz", "/a%2", "props"})
    @DisplayName("a path that could leave the server's root, or is malformed, is refused as invalid_path")
    void refusesTraversal(String path) {
        assertThatThrownBy(() -> UpstreamPath.of(path, null)).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.error()).isEqualTo(GatewayError.INVALID_PATH));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a={b}", "a=|", "x=^", "q=%zz", "q=a b", "q=\"x\""})
    @DisplayName("a query that is not a valid URI's is refused as invalid_path, before anything is sent")
    void refusesQueryThatIsNoUri(String query) {
        assertThatThrownBy(() -> UpstreamPath.of("/completion", query)).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.error()).isEqualTo(GatewayError.INVALID_PATH));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a{b}", "/a|b", "/a^b"})
    @DisplayName("so is such a path")
    void refusesPathThatIsNoUri(String path) {
        assertThatThrownBy(() -> UpstreamPath.of(path, null)).isInstanceOfSatisfying(GatewayException.class,
                e -> assertThat(e.error()).isEqualTo(GatewayError.INVALID_PATH));
    }

    @Test
    @DisplayName("a query with a control character is refused")
    void refusesControlInQuery() {
        assertThatThrownBy(() -> UpstreamPath.of("/props", "a=\n")).isInstanceOf(GatewayException.class);
    }
}
