package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.jaxrs.ApiServer;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.RealLlamaServer;
import dev.magi.testkit.SharedFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The gateway in front of the real {@code llama-server} and a real model, over real HTTP: what the
 * fake cannot prove, that what MAGI passes through is what the real server takes and answers. Skipped
 * where the binary or the shared model is absent.
 */
@DisplayName("The gateway in front of a real llama-server with a real model")
class RealLlamaServerGatewayTest {
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "stories260k";

    @TempDir
    Path dir;
    private MagiEngine engine;
    private ApiServer api;

    @BeforeEach
    void start() throws Exception {
        Optional<Path> binary = RealLlamaServer.binary();
        assumeTrue(binary.isPresent(), RealLlamaServer.absentMessage());
        Path model = SharedFixtures.file(SharedFixtures.STORIES_260K);
        assumeTrue(Files.isRegularFile(model), SharedFixtures.absentMessage(SharedFixtures.STORIES_260K));
        Files.createDirectories(dir.resolve("models"));
        Files.copy(model, dir.resolve("models/stories260K.gguf"));
        open("900");
    }

    /** Starts an engine and its HTTP API over the copied model, with {@code --idle-ttl idleTtl}. */
    private void open(String idleTtl) throws Exception {
        Optional<Path> binary = RealLlamaServer.binary();
        int firstPort = FreePorts.rangeStart(4);
        engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, binary.get().toString())
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, firstPort + "-" + (firstPort + 3))
                .set(ConfigKey.MAX_STARTUP_TIME, "60")
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "5")
                .set(ConfigKey.IDLE_TTL, idleTtl)
                .build();
        engine.registry().setEnabled(ID, true);
        api = new ApiServer(engine);
    }

    @AfterEach
    void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (engine != null) {
            engine.close();
        }
    }

    private static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":8,\"temperature\":0,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]}";
    }

    @Test
    @DisplayName("answers a chat completion for a stopped model, starting it on demand")
    void chatFromStopped() throws Exception {
        assertThat(engine.supervisor().servers()).isEmpty();

        ApiServer.Reply reply = api.post("/v1/chat/completions", chat(ID, false));

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        JsonNode answer = reply.json();
        assertThat(answer.path("object").asText()).isEqualTo("chat.completion");
        assertThat(answer.path("choices").get(0).path("message").path("content").isTextual()).isTrue();
        assertThat(answer.path("usage").path("completion_tokens").asInt()).isPositive();
        assertThat(reply.header("X-MAGI-Model")).isEqualTo(ID);
        assertThat(reply.header("X-MAGI-Route")).isEqualTo("model");
        assertThat(engine.gateway().startedBy(ID)).isPresent();
    }

    @Test
    @DisplayName("answers an auto chat in two stages, both on the one model: the real server's draft is read"
            + " and sent back to it")
    void twoStages() throws Exception {
        // One model: both stages escalate to it, and the draft's slot is free again before stage 2 asks.
        engine.profiles().create(new ModelProfile("drafts", null, List.of(ID), null,
                new TwoStage(true, Tier.FAST, Tier.BALANCED, 6), null));
        engine.profiles().setActive("drafts");

        ApiServer.Reply reply = api.post("/v1/chat/completions", "{\"model\":\"auto\",\"max_tokens\":8,"
                + "\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"Analyze X and compare Y\"}]}");

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(reply.header("X-MAGI-Two-Stage")).isEqualTo("done");
        assertThat(reply.header("X-MAGI-Route")).isEqualTo("two-stage");
        assertThat(reply.header("X-MAGI-Stage1-Model")).isEqualTo(ID);
        assertThat(reply.header("X-MAGI-Model")).isEqualTo(ID);
        assertThat(reply.json().path("choices").get(0).path("message").path("content").isTextual()).isTrue();
        assertThat(reply.json().path("usage").path("prompt_tokens").asInt())
                .as("stage 2's prompt holds the instruction and the draft").isGreaterThan(30);
    }

    @Test
    @DisplayName("streams a chat completion as server-sent events ending with [DONE]")
    void streamedChat() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(api.uri("/v1/chat/completions")).timeout(PATIENCE)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat(ID, true))).build();
        HttpResponse<InputStream> response = api.client().send(request, HttpResponse.BodyHandlers.ofInputStream());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isEmpty()) {
                    events.add(line);
                }
            }
        }
        assertThat(events).allMatch(line -> line.startsWith("data: "));
        assertThat(events.get(events.size() - 1)).isEqualTo("data: [DONE]");
        assertThat(events.size()).isGreaterThan(2);
        JsonNode chunk = JSON.readTree(events.get(0).substring("data: ".length()));
        assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
    }

    @Test
    @DisplayName("resolves the tier name fast and auto to it")
    void fastAndAuto() throws Exception {
        ApiServer.Reply fast = api.post("/v1/chat/completions", chat("fast", false));
        assertThat(fast.status()).as(fast.raw().body()).isEqualTo(200);
        assertThat(fast.header("X-MAGI-Model")).isEqualTo(ID);
        assertThat(fast.header("X-MAGI-Route")).isEqualTo("tier");

        ApiServer.Reply auto = api.post("/v1/chat/completions", chat("auto", false));
        assertThat(auto.status()).as(auto.raw().body()).isEqualTo(200);
        assertThat(auto.header("X-MAGI-Model")).isEqualTo(ID);
        assertThat(auto.header("X-MAGI-Route")).isEqualTo("auto");
        assertThat(auto.header("X-MAGI-Score")).isNotNull();
    }

    @Test
    @DisplayName("stops the server it started once unused for --idle-ttl, and starts it again for the next request")
    void idleUnload() throws Exception {
        stop();
        open("1");
        ApiServer.Reply first = api.post("/v1/chat/completions", chat(ID, false));
        assertThat(first.status()).as(first.raw().body()).isEqualTo(200);

        Eventually.await(PATIENCE, "the idle llama-server to stop", () -> engine.supervisor().server(ID)
                .map(ServerStatus::state).orElse(ServerState.STOPPED) == ServerState.STOPPED);

        ApiServer.Reply again = api.post("/v1/chat/completions", chat(ID, false));
        assertThat(again.status()).as(again.raw().body()).isEqualTo(200);
        assertThat(engine.supervisor().server(ID).map(ServerStatus::state)).contains(ServerState.READY);
        assertThat(engine.gateway().startedBy(ID)).isPresent();
    }
}
