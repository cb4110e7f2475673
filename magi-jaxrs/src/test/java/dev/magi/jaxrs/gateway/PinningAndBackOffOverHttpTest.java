package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.ApiServer;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.magi.jaxrs.gateway.LiveGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Who started a server, pinning and the start back-off over real HTTP, with the fake llama-server")
class PinningAndBackOffOverHttpTest {
    private static final String SMALL = "small-1b-q4_0";
    private static final String BIG = "big-70b-q4_0";

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

    /** MAGI over two enabled models, a restart (and start) back-off of a minute, the fake as llama-server. */
    private void start(FakeLlamaServer.Launcher fake) throws Exception {
        gateway = LiveGateway.in(dir).model(SMALL, Tier.FAST).model(BIG, Tier.POWERFUL).fake(fake)
                .restartBackOff(Duration.ofSeconds(60), Duration.ofSeconds(60))
                .start();
        engine = gateway.engine();
        api = gateway.api();
    }

    @Test
    @DisplayName("a server record has startedBy, pinned, lastRequestAt and idleExpiresAt before the launcher's fields;"
            + " a start through"
            + " the API pins a server the gateway started")
    void fieldsAndPinning() throws Exception {
        start(FakeLlamaServer.launcher());
        Instant before = Instant.now().minusSeconds(1);
        assertThat(api.post("/v1/chat/completions", chat(SMALL)).status()).isEqualTo(200);

        JsonNode onDemand = gateway.server(SMALL);
        List<String> names = new ArrayList<>();
        onDemand.fieldNames().forEachRemaining(names::add);
        assertThat(names.subList(names.size() - 6, names.size()))
                .containsExactly("startedBy", "pinned", "lastRequestAt", "idleExpiresAt", "launcher", "endpoint");
        assertThat(onDemand.path("startedBy").asText()).isEqualTo("gateway");
        assertThat(onDemand.path("pinned").asBoolean()).isFalse();
        Instant lastRequest = Instant.parse(onDemand.path("lastRequestAt").asText());
        assertThat(lastRequest).isAfter(before);
        // --idle-ttl's default, 900 s, counted from when the request ended.
        assertThat(Instant.parse(onDemand.path("idleExpiresAt").asText())).isAfter(lastRequest.plusSeconds(899));

        ApiServer.Reply started = api.post("/api/models/servers/" + SMALL + "/start", "");
        assertThat(started.status()).as(started.raw().body()).isEqualTo(200);
        assertThat(started.json().path("state").asText()).isEqualTo("ready");

        JsonNode pinned = gateway.server(SMALL);
        assertThat(pinned.path("startedBy").asText()).isEqualTo("api");
        assertThat(pinned.path("pinned").asBoolean()).isTrue();
        assertThat(pinned.path("idleExpiresAt").isNull()).isTrue();
        assertThat(pinned.path("lastRequestAt").asText()).isEqualTo(onDemand.path("lastRequestAt").asText());
        assertThat(gateway.runs()).as("the API start found the server running").isEqualTo(1);

        assertThat(api.post("/api/models/servers/" + SMALL + "/stop", "").status()).isEqualTo(200);
        JsonNode stopped = gateway.server(SMALL);
        assertThat(stopped.path("startedBy").isNull()).isTrue();
        assertThat(stopped.path("pinned").asBoolean()).isFalse();
        assertThat(stopped.path("idleExpiresAt").isNull()).isTrue();
    }

    @Test
    @DisplayName("a model's ttlSeconds 0 leaves a server the gateway started without idleExpiresAt")
    void ttlZeroHasNoExpiry() throws Exception {
        start(FakeLlamaServer.launcher());
        assertThat(api.put("/api/models/" + SMALL + "/runtime-settings", "{\"ttlSeconds\": 0}").status())
                .isEqualTo(200);
        assertThat(api.post("/v1/chat/completions", chat(SMALL)).status()).isEqualTo(200);

        JsonNode server = gateway.server(SMALL);
        assertThat(server.path("startedBy").asText()).isEqualTo("gateway");
        assertThat(server.path("idleExpiresAt").isNull()).isTrue();
        assertThat(server.path("lastRequestAt").isTextual()).isTrue();
    }

    @Test
    @DisplayName("servers started by a profile activation show startedBy profile and are pinned")
    void profileStart() throws Exception {
        start(FakeLlamaServer.launcher());
        ApiServer.Reply created = api.post("/api/models/profiles",
                "{\"name\": \"work\", \"enabledModels\": [\"" + BIG + "\"]}");
        assertThat(created.status()).as(created.raw().body()).isEqualTo(201);
        ApiServer.Reply activated = api.post("/api/models/profiles/work/activate", "");
        assertThat(activated.status()).as(activated.raw().body()).isEqualTo(200);

        JsonNode server = gateway.server(BIG);
        assertThat(server.path("state").asText()).isEqualTo("ready");
        assertThat(server.path("startedBy").asText()).isEqualTo("profile");
        assertThat(server.path("pinned").asBoolean()).isTrue();
        assertThat(server.path("lastRequestAt").isNull()).isTrue();
        assertThat(server.path("idleExpiresAt").isNull()).isTrue();
    }

    @Test
    @DisplayName("after a failed start, a request is 503 model_backoff with Retry-After in OpenAI's shape, and"
            + " starts nothing; the tier is answered by its other candidate meanwhile")
    void backOffAfterFailedStart() throws Exception {
        start(FakeLlamaServer.launcher());
        engine.registry().setTierOverride(BIG, Tier.FAST);
        // Only this model's server fails to load: the fake reads its knobs from its environment.
        assertThat(api.put("/api/models/" + SMALL + "/runtime-settings",
                "{\"env\": {\"FAKE_LLAMA_LOAD_EXIT\": \"3\"}}").status()).isEqualTo(200);

        ApiServer.Reply failed = api.post("/v1/chat/completions", chat(SMALL));
        assertThat(failed.status()).as(failed.raw().body()).isEqualTo(503);
        assertThat(failed.json().path("error").path("code").asText()).isEqualTo("model_load_failed");

        ApiServer.Reply refused = api.post("/v1/chat/completions", chat(SMALL));

        assertThat(refused.status()).as(refused.raw().body()).isEqualTo(503);
        JsonNode error = refused.json().path("error");
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.path("code").asText()).isEqualTo("model_backoff");
        assertThat(error.path("param").asText()).isEqualTo("model");
        assertThat(error.path("message").asText()).contains(SMALL, "failed to start");
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
        assertThat(gateway.runs()).isEqualTo(1);

        ApiServer.Reply tier = api.post("/v1/chat/completions", chat("fast"));
        assertThat(tier.status()).as(tier.raw().body()).isEqualTo(200);
        assertThat(tier.header("X-MAGI-Model")).isEqualTo(BIG);
        assertThat(gateway.runs()).isEqualTo(2);
    }

    @Test
    @DisplayName("a server the gateway started, moved to another port and restarted through the API with other"
            + " slots, answers the next chat at its new port, and its record's slots are its new /props total_slots")
    void restartedThroughApiIsFollowed() throws Exception {
        start(FakeLlamaServer.launcher().slots(1));
        assertThat(api.post("/v1/chat/completions", chat(SMALL)).status()).isEqualTo(200);
        int firstPort = gateway.server(SMALL).path("port").asInt();
        // Read beside the first request, which does not wait for it.
        Eventually.awaitAsserted(() -> assertThat(gateway.server(SMALL).path("slots").asInt()).isEqualTo(1));

        int moved = FreePorts.rangeStart(1);
        ApiServer.Reply port = api.put("/api/models/" + SMALL + "/port", "{\"port\": " + moved + "}");
        assertThat(port.status()).as(port.raw().body()).isEqualTo(200);
        assertThat(api.post("/api/models/servers/" + SMALL + "/stop", "").status()).isEqualTo(200);
        // The next run answers 3 slots, as llama-server restarted with another --parallel.
        FakeLlamaServer.launcher().slots(3).runsFile(dir.resolve("runs.txt")).writeTo(dir.resolve("bin/llama-server"));
        ApiServer.Reply started = api.post("/api/models/servers/" + SMALL + "/start", "");
        assertThat(started.status()).as(started.raw().body()).isEqualTo(200);
        assertThat(started.json().path("port").asInt()).isEqualTo(moved).isNotEqualTo(firstPort);

        ApiServer.Reply answered = api.post("/v1/chat/completions", chat(SMALL));
        assertThat(answered.status()).as(answered.raw().body()).isEqualTo(200);
        ApiServer.Reply props = api.get("/upstream/" + SMALL + "/props");
        assertThat(props.status()).as(props.raw().body()).isEqualTo(200);
        assertThat(props.json().path("total_slots").asInt()).isEqualTo(3);
        Eventually.awaitAsserted(() -> assertThat(gateway.server(SMALL).path("slots").asInt()).isEqualTo(3));
        assertThat(gateway.runs()).isEqualTo(2);
    }
}
