package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.CapturedStderr;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bodies the gateway reads itself (over the standalone's 1 MiB, up to the gateway's 32 MiB), sent
 * slowly, against the standalone over real HTTP: they have the request body timeout as a deadline,
 * whatever the idle timeout.
 */
@DisplayName("Gateway bodies over 1 MiB sent slowly, against the standalone over real HTTP")
class SlowGatewayBodiesTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String MODEL = "small-1b-q4_0";
    private static final String CHAT = "/v1/chat/completions";
    private static final String UPSTREAM_CHAT = "/upstream/" + MODEL + CHAT;
    /** Over the standalone's 1 MiB and under the gateway's 32 MiB: the gateway reads it itself. */
    private static final long DECLARED = 20L * 1024 * 1024;
    /** 30 s of trickling, ten times the body timeout. */
    private static final int TRICKLE_ROUNDS = 100;
    private static final String SMALL_CHAT = "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\": \"user\","
            + " \"content\": \"hi\"}]}";

    @TempDir
    Path dir;
    private MagiEngine engine;
    private MagiServer server;
    private Path events;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("a 20 MiB /v1 body trickled under the idle timeout is 400 invalid_json with Connection: close at"
            + " the body timeout, logged as one line")
    void trickledChatBodyIsCutOffAtTheBodyTimeout() throws Exception {
        start();
        try (CapturedStderr log = new CapturedStderr();
             RawHttp connection = RawHttp.connect(server.port())) {
            connection.sendJsonHead("POST", CHAT, DECLARED);
            trickle(connection);
            assertTooSlow(connection);
            Eventually.await("the deadline to be logged", () -> log.text().contains("did not arrive within 3.0 s"));
            assertThat(log.text()).doesNotContain("ERROR");
            assertThat(log.text()).doesNotContain("\tat ");
        }
        assertThat(engine.gateway().inFlight(MODEL)).isZero();
    }

    @Test
    @DisplayName("a 20 MiB /upstream body trickled under the idle timeout while admitted is 400 invalid_json with"
            + " Connection: close at the body timeout: the upstream request is aborted and its slot freed")
    void trickledUpstreamBodyIsCutOffAtTheBodyTimeout() throws Exception {
        start();
        warmUp();
        int eventsBefore = Files.readString(events).length();
        try (CapturedStderr log = new CapturedStderr();
             RawHttp connection = RawHttp.connect(server.port())) {
            connection.sendJsonHead("POST", UPSTREAM_CHAT, DECLARED);
            connection.send("{\"model\": \"" + MODEL + "\"");
            // Admitted at once (its server is ready), the request holds its slot while its body trickles.
            Eventually.await(PATIENCE, "the request to be admitted", () -> engine.gateway().inFlight(MODEL) == 1);
            trickle(connection);
            assertTooSlow(connection);
            Eventually.await("the deadline to be logged", () -> log.text().contains("did not arrive within 3.0 s"));
            assertThat(log.text()).doesNotContain("ERROR");
        }
        Eventually.await(PATIENCE, "the slot to be freed", () -> engine.gateway().inFlight(MODEL) == 0);
        // The fake records a request once it read its whole body: it never got this one.
        assertThat(Files.readString(events).substring(eventsBefore)).doesNotContain("request " + CHAT);
    }

    @Test
    @DisplayName("a 20 MiB /upstream body whose client falls silent for the idle timeout while admitted is 400"
            + " invalid_json, the client's fault, not logged as MAGI's failure; its slot is freed")
    void silentUpstreamBodyIsTheClientsFault() throws Exception {
        start("30", "2");
        warmUp();
        try (CapturedStderr log = new CapturedStderr();
             RawHttp connection = RawHttp.connect(server.port())) {
            connection.sendJsonHead("POST", UPSTREAM_CHAT, DECLARED);
            connection.send("{\"model\": \"" + MODEL + "\"");
            Eventually.await(PATIENCE, "the request to be admitted", () -> engine.gateway().inFlight(MODEL) == 1);
            // Silent from here: the idle timeout (2 s) ends the body long before the body timeout (30 s).
            RawHttp.Reply reply = connection.read();
            assertThat(reply.status()).as(reply.body()).isEqualTo(400);
            JsonNode error = Http.JSON.readTree(reply.body()).path("error");
            assertThat(error.path("code").asText()).isEqualTo("invalid_json");
            assertThat(error.path("message").asText()).contains("could not be read whole");
            assertThat(log.text()).doesNotContain("ERROR");
        }
        Eventually.await(PATIENCE, "the slot to be freed", () -> engine.gateway().inFlight(MODEL) == 0);
    }

    @Test
    @DisplayName("2 MiB bodies sent whole in time, on /v1 and /upstream, are answered by the server, their"
            + " connection kept")
    void wholeBodiesInTimeAreServed() throws Exception {
        start();
        warmUp();
        String body = SMALL_CHAT + " ".repeat(2 * 1024 * 1024);
        try (RawHttp connection = RawHttp.connect(server.port())) {
            for (String path : new String[] {CHAT, UPSTREAM_CHAT}) {
                connection.sendJsonHead("POST", path, body.length());
                connection.send(body);
                RawHttp.Reply reply = connection.read();
                assertThat(reply.status()).as(path + ": " + reply.body()).isEqualTo(200);
                assertThat(reply.headers().get("connection")).as(path).isNull();
            }
        }
        assertThat(Files.readString(events)).contains("request " + CHAT);
    }

    /**
     * Starts the model's server with a small request, so that the request under test is admitted at
     * once: an /upstream body's deadline counts from admission, and these tests are about bodies, not
     * cold starts (a request that waited may also be answered {@code Connection: close}).
     */
    private void warmUp() throws Exception {
        Http.Reply reply = new Http(server.uri()).send("POST", CHAT, SMALL_CHAT);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    /** 4 bytes every 300 ms: never silent for the idle timeout (2 s), and far from the body's end. */
    private static void trickle(RawHttp connection) throws IOException {
        try {
            for (int round = 0; round < TRICKLE_ROUNDS && !connection.answered(); round++) {
                connection.send("    ");
                pace(300);
            }
        } catch (IOException closed) {
            // The server answered and closed the connection between two of the client's writes.
        }
        assertThat(connection.answered()).as("answered while still trickling, after " + TRICKLE_ROUNDS
                + " rounds of 300 ms").isTrue();
    }

    private static void assertTooSlow(RawHttp connection) throws IOException {
        RawHttp.Reply reply = connection.read();
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.headers().get("content-type")).startsWith("application/json");
        JsonNode error = Http.JSON.readTree(reply.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("invalid_json");
        assertThat(error.path("message").asText()).contains("did not arrive in time");
        assertThat(reply.headers().get("connection")).isEqualToIgnoringCase("close");
        assertThat(connection.closedByServer()).isTrue();
    }

    private void start() throws Exception {
        start("3", "2");
    }

    private void start(String bodyTimeoutSeconds, String idleTimeoutSeconds) throws Exception {
        events = dir.resolve("events");
        engine = FakeServedEngine.builder(dir, FakeLlamaServer.launcher().eventsFile(events), List.of(MODEL))
                .set(ConfigKey.REQUEST_BODY_TIMEOUT, bodyTimeoutSeconds)
                .set(ConfigKey.HTTP_IDLE_TIMEOUT, idleTimeoutSeconds)
                .build();
        engine.registry().setAllEnabled(true);
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
    }

    /** Paces a client as a slow one would be: the gap is the behaviour under test, not a wait. */
    private static void pace(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
