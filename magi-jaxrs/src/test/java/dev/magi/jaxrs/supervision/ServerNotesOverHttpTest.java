package dev.magi.jaxrs.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.jaxrs.ApiServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("What MAGI does to a server is in the server's log, on the stream magi")
class ServerNotesOverHttpTest extends OneModelOverHttpTest {
    private static final String SECRET = "s3cret-key-of-the-servers";

    @Test
    @DisplayName("a start, a crash, the restart and the stop, in order, the API key masked")
    void startCrashRestartStop() throws Exception {
        live.set(ConfigKey.LLAMA_ARGS, "--api-key " + SECRET + " --parallel 1");
        live.install(live.fake().crashAfterReady(200, 134).misbehaveOnlyInFirstRuns(1)).start();
        JsonNode started = live.post(SERVERS + ID + "/start").json();
        long first = started.path("pid").asLong();
        int port = started.path("port").asInt();
        JsonNode restarted = live.awaitServer(ID, "ready again with another pid",
                s -> s.path("state").asText().equals("ready") && s.path("pid").asLong() != first);
        long second = restarted.path("pid").asLong();

        live.post(SERVERS + ID + "/stop");

        List<String> notes = notes();
        assertThat(notes).hasSize(7);
        assertThat(notes.get(0)).startsWith("starting: " + live.launcher + " --model ")
                .contains("--port " + port).contains("--api-key *** --parallel 1");
        assertThat(notes.get(1)).isEqualTo("started pid " + first + " on port " + port);
        assertThat(notes.get(2)).startsWith("pid " + first + " exited with code 134 while ready");
        assertThat(notes.get(3)).isEqualTo("restarting in 0.05 s (attempt 1)");
        assertThat(notes.get(4)).startsWith("starting: ");
        assertThat(notes.get(5)).isEqualTo("started pid " + second + " on port " + port);
        assertThat(notes.get(6)).isEqualTo("stopped pid " + second + ", exit code 0");
        assertThat(live.get(SERVERS + ID + "/logs?tail=1000").raw().body()).doesNotContain(SECRET);
    }

    @Test
    @DisplayName("giving up after five crashes")
    void gaveUp() throws Exception {
        live.install(live.fake().crashAfterReady(100, 134)).start();
        live.post(SERVERS + ID + "/start");

        live.awaitServer(ID, "failed", s -> s.path("state").asText().equals("failed"));

        List<String> notes = notes();
        assertThat(notes.stream().filter(n -> n.startsWith("restarting in "))).hasSize(4);
        assertThat(notes.get(notes.size() - 1)).startsWith("gave up after 5 crashes within 10 minutes")
                .contains("exited with code 134");
    }

    @Test
    @DisplayName("an exit while starting, which the error's log tail leaves out")
    void exitWhileStarting() throws Exception {
        live.install(live.fake().exitDuringLoad(3)).start();

        ApiServer.Reply reply = live.post(SERVERS + ID + "/start");

        assertThat(reply.status()).isEqualTo(502);
        long pid = live.runs().get(0);
        assertThat(notes()).last().isEqualTo("pid " + pid + " exited with code 3 while starting");
        assertThat(reply.json().path("details").path("logTail").toString())
                .contains("exiting with code 3 while loading").doesNotContain("starting: ").doesNotContain("started pid");
    }

    @Test
    @DisplayName("a port taken by another program, and the port the model moved to")
    void portMoved() throws Exception {
        live.install(live.fake()).start();
        int port = live.post(SERVERS + ID + "/start").json().path("port").asInt();
        live.post(SERVERS + ID + "/stop");

        int moved;
        try (ServerSocket held = LiveMagi.hold(port)) {
            moved = live.post(SERVERS + ID + "/start").json().path("port").asInt();
        }

        assertThat(moved).isNotEqualTo(port);
        assertThat(notes()).contains("port " + port + " is in use by another program; moved to port " + moved);
    }

    /** The lines on the stream magi, in order; every other line is the server's stdout or stderr. */
    private List<String> notes() throws Exception {
        List<String> notes = new ArrayList<>();
        for (JsonNode line : live.get(SERVERS + ID + "/logs?tail=1000").json().path("lines")) {
            String stream = line.path("stream").asText();
            assertThat(stream).isIn("stdout", "stderr", "magi");
            if (stream.equals("magi")) {
                notes.add(line.path("line").asText());
            }
        }
        return notes;
    }
}
