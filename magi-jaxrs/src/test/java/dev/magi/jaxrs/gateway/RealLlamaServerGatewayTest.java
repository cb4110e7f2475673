package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.LogLine;
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
import java.io.OutputStream;
import java.net.Socket;
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
    @DisplayName("passes GET /upstream/{id}/props to the real server: its own answer, with MAGI's headers")
    void upstreamProps() throws Exception {
        assertThat(api.post("/v1/chat/completions", chat(ID, false)).status()).isEqualTo(200);

        ApiServer.Reply props = api.get("/upstream/" + ID + "/props");

        assertThat(props.status()).as(props.raw().body()).isEqualTo(200);
        assertThat(props.json().path("total_slots").asInt()).isPositive();
        assertThat(props.json().path("model_path").asText()).endsWith("stories260K.gguf");
        assertThat(props.header("X-MAGI-Model")).isEqualTo(ID);
    }

    @Test
    @DisplayName("a client that disconnects mid-stream stops the generation: the real server cancels the task and"
            + " frees its slot long before max_tokens")
    void disconnectStopsGeneration() throws Exception {
        assertThat(api.post("/v1/chat/completions", chat(ID, false)).status()).isEqualTo(200);
        int maxTokens = 2000;
        byte[] body = ("{\"model\":\"" + ID + "\",\"stream\":true,\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]}").getBytes(StandardCharsets.UTF_8);

        try (Socket socket = new Socket(api.uri("/").getHost(), api.uri("/").getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + api.uri("/").getAuthority()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            // Two events read: the generation is under way.
            InputStream in = socket.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[256];
            while (seen.toString().split("data: ", -1).length <= 2) {
                int n = in.read(buffer);
                assertThat(n).as("the stream ended early: " + seen).isPositive();
                seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            assertThat(seen.toString()).startsWith("HTTP/1.1 200");
        }

        Eventually.await(PATIENCE, "the real server to cancel the generation and release its slot",
                () -> releasedAfterCancel().isPresent());
        JsonNode slots = Eventually.awaitValue(PATIENCE, "every slot idle again, as /upstream/{id}/slots shows",
                () -> api.get("/upstream/" + ID + "/slots").json(),
                list -> list.size() > 0 && !list.findValuesAsText("is_processing").contains("true"));
        assertThat(slots.get(0).has("is_processing")).isTrue();
        // The server's own account of the slot it released: the prompt and the few tokens made before the
        // client went away, far from the prompt plus max_tokens an uninterrupted generation would hold.
        int held = Integer.parseInt(releasedAfterCancel().orElseThrow()
                .replaceAll(".*stop processing: n_tokens = (\\d+).*", "$1"));
        assertThat(held).isLessThan(maxTokens / 2);
        Eventually.await(PATIENCE, "the request's slot to be given back", () -> engine.gateway().inFlight(ID) == 0);
    }

    /** The server's log line releasing a slot after it cancelled a task, when there is one. */
    private Optional<String> releasedAfterCancel() {
        List<String> lines = engine.supervisor().logs(ID, 10_000).stream().map(LogLine::line).toList();
        boolean cancelled = false;
        for (String line : lines) {
            if (line.contains("cancel task")) {
                cancelled = true;
            } else if (cancelled && line.contains("stop processing: n_tokens = ")) {
                return Optional.of(line);
            }
        }
        return Optional.empty();
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
