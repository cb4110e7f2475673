package dev.magi.jaxrs.supervision;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Log followers that do not read")
class SlowLogFollowersOverHttpTest extends OneModelOverHttpTest {
    private static final int FOLLOWERS = 40;

    @Test
    @DisplayName("do not hold up a server that floods its output: it still becomes ready in its startup time; gone, they are released")
    void floodWithStalledFollowers() throws Exception {
        live.install(live.fake().outputBytes(30_000_000)).start();
        List<RawStream> followers = new ArrayList<>();
        try {
            for (int i = 0; i < FOLLOWERS; i++) {
                RawStream follower = RawStream.open(live.api().uri(SERVERS + ID + "/logs/stream?tail=0"));
                followers.add(follower);
                assertThat(follower.status()).isEqualTo(200);
            }

            assertThat(live.openStreams()).isEqualTo(FOLLOWERS);
            assertThat(live.post(SERVERS + ID + "/start?wait=false").status()).isEqualTo(202);

            // The start fails once MAX_STARTUP_TIME passes: a drain held up by its followers ends as "failed".
            String state = live.awaitServer(ID, "ready, or failed", s -> s.path("state").asText().equals("ready")
                    || s.path("state").asText().equals("failed")).path("state").asText();
            assertThat(state).isEqualTo("ready");
        } finally {
            for (RawStream follower : followers) {
                follower.close();
            }
        }
        // A stalled client that goes away frees what it held, the write blocked on it included.
        LiveMagi.await("the followers released (open: %s)", () -> openStreams() == 0,
                () -> String.valueOf(openStreams()));
    }

    private int openStreams() {
        try {
            return live.openStreams();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
