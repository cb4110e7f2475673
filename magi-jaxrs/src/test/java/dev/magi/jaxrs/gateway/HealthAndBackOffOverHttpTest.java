package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.ServerState;
import dev.magi.jaxrs.ApiServer;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.magi.jaxrs.gateway.LiveGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Health probes and restart back-off over real HTTP, with the fake llama-server as a real process")
class HealthAndBackOffOverHttpTest {
    private static final Duration PATIENCE = LiveGateway.PATIENCE;
    private static final String SMALL = "small-1b-q4_0";
    private static final String OTHER = "other-1b-q4_0";

    @TempDir
    Path dir;
    private LiveGateway gateway;
    private MagiEngine engine;
    private ApiServer api;

    @AfterEach
    void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** MAGI over two enabled fast models, probed every second, a crash waiting 30 s for its restart. */
    private void start(FakeLlamaServer.Launcher fake) throws Exception {
        gateway = LiveGateway.in(dir).model(SMALL, Tier.FAST).model(OTHER, Tier.FAST).fake(fake)
                .set(ConfigKey.HEALTH_CHECK_INTERVAL, "1")
                .restartBackOff(Duration.ofSeconds(30), Duration.ofSeconds(60))
                .start();
        engine = gateway.engine();
        api = gateway.api();
    }

    @Test
    @DisplayName("a request for a model whose server waits out its restart back-off is 503 model_backoff with"
            + " Retry-After, and starts nothing")
    void backOff() throws Exception {
        start(FakeLlamaServer.launcher().crashAfterReady(0, 134));
        engine.supervisor().start(SMALL, true);
        Eventually.await(PATIENCE, "the crash to be seen",
                () -> engine.supervisor().restartDue(SMALL).isPresent());
        int runs = gateway.runs();

        ApiServer.Reply reply = api.post("/v1/chat/completions", chat(SMALL));

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(503);
        JsonNode error = reply.json().path("error");
        assertThat(error.path("code").asText()).isEqualTo("model_backoff");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("message").asText()).contains(SMALL);
        int retryAfter = Integer.parseInt(reply.header("Retry-After"));
        assertThat(retryAfter).isBetween(1, 30);
        assertThat(engine.supervisor().server(SMALL).orElseThrow().state()).isEqualTo(ServerState.RESTARTING);
        assertThat(gateway.runs()).isEqualTo(runs);
    }

    @Test
    @DisplayName("while every server of a tier waits out its restart back-off, a request for the tier, a streamed"
            + " one and one through /upstream are each 503 model_backoff in OpenAI's shape, with Retry-After the"
            + " seconds the message names; nothing is started, and the request log has the 503s")
    void wholeTierInBackOff() throws Exception {
        start(FakeLlamaServer.launcher().crashAfterReady(0, 134));
        engine.supervisor().start(SMALL, true);
        engine.supervisor().start(OTHER, true);
        Eventually.await(PATIENCE, "both crashes to be seen", () -> engine.supervisor().restartDue(SMALL).isPresent()
                && engine.supervisor().restartDue(OTHER).isPresent());
        int runs = gateway.runs();

        assertBackOff(api.post("/v1/chat/completions", chat("fast")));
        assertBackOff(api.post("/v1/chat/completions", chat("fast", "hi", true)));
        assertBackOff(api.post("/upstream/" + SMALL + "/completion", "{\"prompt\":\"hi\"}"));

        assertThat(gateway.runs()).isEqualTo(runs);
        JsonNode logged = api.get("/api/gateway/requests").json().path("requests");
        assertThat(logged.findValuesAsText("asked")).containsExactly("fast", "fast", SMALL);
        assertThat(logged.findValuesAsText("status")).containsExactly("503", "503", "503");
        assertThat(logged.get(2).path("route").asText()).isEqualTo("upstream");
    }

    /** The refusal of a request for a server in restart back-off, as the docs describe it. */
    private static void assertBackOff(ApiServer.Reply reply) {
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(503);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        JsonNode error = reply.json().path("error");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("code").asText()).isEqualTo("model_backoff");
        assertThat(error.path("param").asText()).isEqualTo("model");
        int retryAfter = Integer.parseInt(reply.header("Retry-After"));
        assertThat(retryAfter).isBetween(1, 30);
        assertThat(error.path("message").asText()).contains("crashed and restarts in " + retryAfter + " s");
    }

    @Test
    @DisplayName("a ready server whose /health hangs shows healthy false in its record, the tier is answered by"
            + " the other server, and it shows healthy true once /health answers again")
    void healthInTheServerRecord() throws Exception {
        Path hang = dir.resolve("health-hang");
        start(FakeLlamaServer.launcher().healthHang(hang));
        engine.supervisor().start(SMALL, true);
        engine.supervisor().start(OTHER, true);
        assertThat(gateway.server(SMALL).path("healthy").asBoolean(false)).isTrue();

        Files.writeString(hang, SMALL, StandardCharsets.UTF_8);
        Eventually.await(PATIENCE, "the server to turn unhealthy",
                () -> !engine.supervisor().server(SMALL).orElseThrow().healthy());
        JsonNode record = gateway.server(SMALL);
        assertThat(record.path("healthy").isBoolean()).isTrue();
        assertThat(record.path("healthy").asBoolean()).isFalse();
        assertThat(record.path("state").asText()).isEqualTo("ready");
        for (int i = 0; i < 3; i++) {
            ApiServer.Reply reply = api.post("/v1/chat/completions", chat("fast"));
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.header("X-MAGI-Model")).isEqualTo(OTHER);
        }

        Files.delete(hang);
        Eventually.await(PATIENCE, "the server to be healthy again",
                () -> engine.supervisor().server(SMALL).orElseThrow().healthy());
        assertThat(gateway.server(SMALL).path("healthy").asBoolean(false)).isTrue();
    }

    @Test
    @DisplayName("a request whose server dies before answering is sent once more, to the tier's other server")
    void retriedOnce() throws Exception {
        Path die = dir.resolve("die");
        start(FakeLlamaServer.launcher().dieOnRequest(die));
        engine.supervisor().start(SMALL, true);
        engine.supervisor().start(OTHER, true);
        Files.writeString(die, SMALL, StandardCharsets.UTF_8);

        // Round robin: one of the two requests goes to the server that dies with it in hand.
        for (int i = 0; i < 2; i++) {
            ApiServer.Reply reply = api.post("/v1/chat/completions", chat("fast"));
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.header("X-MAGI-Model")).isEqualTo(OTHER);
        }
        Eventually.await(PATIENCE, "the dead server's crash to be seen",
                () -> engine.supervisor().server(SMALL).orElseThrow().restartCount() == 1);
    }
}
