package dev.magi.jaxrs.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.jaxrs.SseClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Server-sent event streams")
class StreamsOverHttpTest extends OneModelOverHttpTest {
    @BeforeEach
    void startMagi() throws Exception {
        live.install(live.fake()).start();
    }

    @Test
    @DisplayName("logs/stream delivers the tail of a server's log, then each new line")
    void logStream() throws Exception {
        live.post(SERVERS + ID + "/start");
        // The fake says it is ready before its last lines are read: the tail must end with them.
        LiveMagi.await("the fake's last lines", () -> ServerLifecycleOverHttpTest.lastLinesIn(tail(3)));
        List<String> tail = tail(3);

        try (SseClient stream = live.stream(SERVERS + ID + "/logs/stream?tail=3")) {
            assertThat(stream.contentType()).startsWith("text/event-stream");
            List<String> received = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SseClient.Event event = stream.next();
                assertThat(event.name()).isEqualTo("log");
                assertThat(event.json().path("stream").asText()).isIn("stdout", "stderr");
                received.add(event.json().path("line").asText());
            }
            assertThat(received).containsExactlyElementsOf(tail);

            live.post(SERVERS + ID + "/stop");

            SseClient.Event next = stream.next();
            assertThat(next.name()).isEqualTo("log");
            assertThat(next.json().path("line").asText()).isEqualTo("fake: received SIGTERM, shutting down");
        }
    }

    @Test
    @DisplayName("/events delivers hello, then registry, profile and server state changes")
    void events() throws Exception {
        try (SseClient events = live.stream("/api/models/events")) {
            SseClient.Event hello = events.next();
            assertThat(hello.name()).isEqualTo("hello");
            assertThat(hello.json().path("models").asInt()).isEqualTo(1);

            live.put("/api/models/" + ID + "/enabled", "{\"enabled\": true}");
            SseClient.Event registry = events.next("a registry event", e -> e.name().equals("registry"));
            assertThat(registry.json().path("models").asInt()).isEqualTo(1);

            live.post("/api/models/profiles", "{\"name\": \"evening\", \"enabledModels\": [\"" + ID + "\"]}");
            SseClient.Event profile = events.next("a profile event", e -> e.name().equals("profile"));
            assertThat(profile.json().path("profileName").asText()).isEqualTo("evening");

            long pid = live.post(SERVERS + ID + "/start").json().path("pid").asLong();
            live.post(SERVERS + ID + "/stop");

            List<String> states = new ArrayList<>();
            SseClient.Event server;
            do {
                server = events.next("a server event", e -> e.name().equals("server"));
                assertThat(server.json().path("modelId").asText()).isEqualTo(ID);
                states.add(server.json().path("state").asText());
            } while (!server.json().path("state").asText().equals("stopped"));
            assertThat(states).containsSubsequence("starting", "ready", "stopping", "stopped");
            assertThat(events.seen()).filteredOn(e -> e.name().equals("server"))
                    .anyMatch(e -> e.json().path("state").asText().equals("ready")
                            && e.json().path("pid").asLong() == pid);
        }
    }

    private List<String> tail(int lines) {
        try {
            List<String> text = new ArrayList<>();
            for (JsonNode line : live.get(SERVERS + ID + "/logs?tail=" + lines).json().path("lines")) {
                text.add(line.path("line").asText());
            }
            return text;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
