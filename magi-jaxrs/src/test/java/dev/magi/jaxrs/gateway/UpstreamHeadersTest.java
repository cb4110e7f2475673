package dev.magi.jaxrs.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The headers of llama-server's answers passed back to the client")
class UpstreamHeadersTest {

    @Test
    @DisplayName("keep the server's own, drop hop-by-hop ones, its CORS headers and what MAGI sets itself")
    void filtered() {
        for (String kept : new String[] {"Content-Type", "X-Custom", "Server-Timing"}) {
            assertThat(Upstream.passedBack(kept)).as(kept).isTrue();
        }
        for (String dropped : new String[] {"Connection", "Transfer-Encoding", "Content-Length",
            "Access-Control-Allow-Origin", "access-control-allow-credentials", "X-Accel-Buffering"}) {
            assertThat(Upstream.passedBack(dropped)).as(dropped).isFalse();
        }
    }
}
