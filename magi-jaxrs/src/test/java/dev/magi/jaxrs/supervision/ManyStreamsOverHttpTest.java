package dev.magi.jaxrs.supervision;

import dev.magi.core.config.ConfigKey;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Many server-sent event streams")
class ManyStreamsOverHttpTest extends OneModelOverHttpTest {
    private static final String EVENTS = "/api/models/events";

    @Test
    @DisplayName("300 open /events streams add a few threads, not one each; each gets every change; closed, they give their places back")
    void noThreadPerStream() throws Exception {
        int count = 300;
        live.set(ConfigKey.MAX_EVENT_STREAMS, "400").install(live.fake()).start();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<RawStream> streams = new ArrayList<>();
        // The first stream starts what every stream shares; the count is taken after it.
        RawStream first = RawStream.open(live.api().uri(EVENTS));
        streams.add(first);
        first.awaitEvent("hello");
        int before = threads.getThreadCount();
        try {
            for (int i = 1; i < count; i++) {
                RawStream stream = RawStream.open(live.api().uri(EVENTS));
                streams.add(stream);
                assertThat(stream.status()).as("stream %d", i).isEqualTo(200);
                stream.awaitEvent("hello");
            }
            int during = threads.getThreadCount();
            assertThat(live.openStreams()).isEqualTo(count);

            live.put("/api/models/" + ID + "/enabled", "{\"enabled\": true}");
            for (RawStream stream : streams) {
                stream.awaitEvent("registry");
            }

            assertThat(during - before).as("threads added by %d open streams", count).isLessThan(count / 10);
        } finally {
            for (RawStream stream : streams) {
                stream.close();
            }
        }
        LiveMagi.await("the closed streams to be released (open: %s)", () -> openStreams() == 0,
                () -> String.valueOf(openStreams()));
    }

    @Test
    @DisplayName("one stream over --max-event-streams gets 503 ServiceUnavailable with Retry-After, until a client goes away")
    void overTheCap() throws Exception {
        live.set(ConfigKey.MAX_EVENT_STREAMS, "4").install(live.fake()).start();
        List<RawStream> streams = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                streams.add(RawStream.open(live.api().uri(EVENTS)));
            }
            streams.add(RawStream.open(live.api().uri(SERVERS + ID + "/logs/stream")));
            for (RawStream stream : streams) {
                assertThat(stream.status()).isEqualTo(200);
            }
            assertThat(live.openStreams()).isEqualTo(4);

            for (String path : List.of(EVENTS, SERVERS + ID + "/logs/stream")) {
                try (RawStream refused = RawStream.open(live.api().uri(path))) {
                    assertThat(refused.status()).as(path).isEqualTo(503);
                    assertThat(refused.header("Retry-After")).as(path).isEqualTo("10");
                    assertThat(refused.header("Content-Type")).startsWith("application/json");
                    String body = refused.body();
                    assertThat(body).contains("\"error\":\"ServiceUnavailable\"")
                            .contains("--max-event-streams").contains("\"maxEventStreams\":4");
                }
            }
            assertThat(live.openStreams()).as("refusals hold no place").isEqualTo(4);

            streams.remove(0).close();
            streams.remove(0).close();
            LiveMagi.await("two places given back (open: %s)", () -> openStreams() == 2,
                    () -> String.valueOf(openStreams()));
            for (int i = 0; i < 2; i++) {
                RawStream again = RawStream.open(live.api().uri(EVENTS));
                streams.add(again);
                assertThat(again.status()).isEqualTo(200);
                again.awaitEvent("hello");
            }
        } finally {
            for (RawStream stream : streams) {
                stream.close();
            }
        }
    }

    @Test
    @DisplayName("a log stream of an unknown model is 404 and holds no place")
    void unknownModel() throws Exception {
        live.set(ConfigKey.MAX_EVENT_STREAMS, "1").install(live.fake()).start();
        try (RawStream unknown = RawStream.open(live.api().uri(SERVERS + "nope-1b/logs/stream"))) {
            assertThat(unknown.status()).isEqualTo(404);
        }
        assertThat(live.openStreams()).isZero();
        try (RawStream events = RawStream.open(live.api().uri(EVENTS))) {
            assertThat(events.status()).isEqualTo(200);
            events.awaitEvent("hello");
        }
    }

    private int openStreams() {
        try {
            return live.openStreams();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
