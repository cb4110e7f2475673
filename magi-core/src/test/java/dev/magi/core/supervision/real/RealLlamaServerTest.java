package dev.magi.core.supervision.real;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.binary.LlamaServerVersion;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.profile.ProfileActivator;
import dev.magi.core.supervision.LogLine;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.core.supervision.ServerSupervisor;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.PortRange;
import dev.magi.spi.RuntimeSettings;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.RealLlamaServer;
import dev.magi.testkit.SharedFixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Supervision against the real {@code llama-server} and a real model, over real HTTP: what the fake
 * cannot prove, that the command line MAGI builds is one the real binary accepts and that the server
 * it reports ready really answers. Skipped where the binary or {@code ../shared} is absent.
 */
@DisplayName("A real llama-server with a real model")
class RealLlamaServerTest {
    /** Loading takes a fraction of a second; the patience only keeps a broken start from hanging the build. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path binary;
    private Path model;

    @BeforeEach
    void needsTheRealServerAndModel() {
        Optional<Path> installed = RealLlamaServer.binary();
        assumeTrue(installed.isPresent(), RealLlamaServer.absentMessage());
        binary = installed.get();
        model = SharedFixtures.file(SharedFixtures.STORIES_260K);
        assumeTrue(Files.isRegularFile(model), SharedFixtures.absentMessage(SharedFixtures.STORIES_260K));
    }

    @Test
    @DisplayName("is discovered, started, ready, answers a completion on its port, logs, and stops")
    void discoverStartCompleteStop() throws Exception {
        try (MagiEngine engine = engine(null, "stories260K.gguf")) {
            Map<String, DiscoveredModel> discovered = engine.registry().snapshot().models();
            assertThat(discovered).containsOnlyKeys("stories260k");
            ServerSupervisor supervisor = engine.supervisor();

            ServerStatus ready = supervisor.start("stories260k", true);

            assertThat(ready.state()).isEqualTo(ServerState.READY);
            PortRange range = engine.config().portRange();
            assertThat(ready.port()).isBetween(range.start(), range.end());
            // The wrapper execs the server, so the pid MAGI signals is the server's, with no child.
            assertThat(ProcessHandle.of(ready.pid())).get()
                    .satisfies(p -> assertThat(p.children()).isEmpty());

            JsonNode completion = complete(ready.port(), "Once upon a time");
            assertThat(completion.path("model").asText()).isEqualTo("stories260k");
            assertThat(completion.path("choices").path(0).path("text").asText()).isNotBlank();

            // The server logs that it loaded a moment after it answers /health, so wait for the line.
            Eventually.await(PATIENCE, "the server's model-loaded line in its log",
                    () -> supervisor.logs("stories260k", 500).stream()
                            .map(LogLine::line).anyMatch(l -> l.contains("model loaded")));

            ServerStatus stopped = supervisor.stop("stories260k");

            assertThat(stopped.state()).isEqualTo(ServerState.STOPPED);
            assertThat(stopped.pid()).isNull();
            Eventually.await(PATIENCE, "the server process to be gone",
                    () -> ProcessHandle.of(ready.pid()).map(p -> !p.isAlive()).orElse(true));
        }
    }

    @Test
    @DisplayName("accepts every runtime setting and the global extra arguments, gets ready and answers")
    void runtimeSettingsAndGlobalArguments() throws Exception {
        try (MagiEngine engine = engine("--no-webui --parallel 2", "stories260K.gguf")) {
            // Set as the API's runtime-settings patch does, so what the real binary sees is what a user gets.
            engine.registry().updateRuntimeSettings("stories260k", current -> new RuntimeSettings(0, 512, 1, 64));

            ServerStatus ready = engine.supervisor().start("stories260k", true);

            assertThat(ready.state()).isEqualTo(ServerState.READY);
            JsonNode completion = complete(ready.port(), "Once upon a time");
            assertThat(completion.path("choices").path(0).path("text").asText()).isNotBlank();
            // The server reports the slots it was given, which only LLAMA_SERVER_ARGS' --parallel 2 sets.
            assertThat(get(ready.port(), "/props").path("total_slots").asInt()).isEqualTo(2);
            engine.supervisor().stop("stories260k");
        }
    }

    @Test
    @DisplayName("accepts a model's own extra arguments and variables, gets ready and answers")
    void modelArgumentsAndEnvironment() throws Exception {
        try (MagiEngine engine = engine("--no-webui", "stories260K.gguf")) {
            // f32, not q8_0: this tiny model's heads (8 wide) are narrower than a q8_0 block (32), which
            // the server refuses; the next test shows that refusal reaching the user.
            engine.registry().updateRuntimeSettings("stories260k", current -> current
                    .withExtraArgs(List.of("--jinja", "--cache-type-k", "f32"))
                    .withEnv(Map.of("LLAMA_ARG_N_PARALLEL", "3")));

            ServerStatus ready = engine.supervisor().start("stories260k", true);

            assertThat(ready.state()).isEqualTo(ServerState.READY);
            JsonNode completion = complete(ready.port(), "Once upon a time");
            assertThat(completion.path("choices").path(0).path("text").asText()).isNotBlank();
            // Only the model's variable sets three slots: it reached the process's environment.
            assertThat(get(ready.port(), "/props").path("total_slots").asInt()).isEqualTo(3);
            engine.supervisor().stop("stories260k");
        }
    }

    @Test
    @DisplayName("given --cache-type-k q8_0 by the model, fails the start with the real server's reason")
    void modelArgumentTheServerRefuses() throws Exception {
        try (MagiEngine engine = engine("--no-webui", "stories260K.gguf")) {
            engine.registry().updateRuntimeSettings("stories260k", current -> current
                    .withExtraArgs(List.of("--jinja", "--cache-type-k", "q8_0")));

            MagiException e = catchThrowableOfType(MagiException.class,
                    () -> engine.supervisor().start("stories260k", true));

            assertThat(e).as("the start fails").isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
            assertThat(e.details().get("logTail")).asString().contains("K cache type q8_0");
        }
    }

    @Test
    @DisplayName("runs two real models at once, each ready on its own port and answering")
    void twoModelsAtOnce() throws Exception {
        try (MagiEngine engine = engine(null, "tale-one.gguf", "tale-two.gguf")) {
            assertThat(engine.registry().snapshot().models()).containsOnlyKeys("tale-one", "tale-two");
            ServerSupervisor supervisor = engine.supervisor();

            ServerStatus one = supervisor.start("tale-one", true);
            ServerStatus two = supervisor.start("tale-two", true);

            assertThat(one.state()).isEqualTo(ServerState.READY);
            assertThat(two.state()).isEqualTo(ServerState.READY);
            assertThat(one.port()).isNotEqualTo(two.port());
            assertThat(one.pid()).isNotEqualTo(two.pid());
            // Both answer while both run: each port is its own model's server.
            assertThat(complete(one.port(), "Once upon a time").path("model").asText()).isEqualTo("tale-one");
            assertThat(complete(two.port(), "Once upon a time").path("model").asText()).isEqualTo("tale-two");
            assertThat(supervisor.server("tale-one")).get().extracting(ServerStatus::isReady).isEqualTo(true);
            supervisor.stopAll();
        }
    }

    @Test
    @DisplayName("killed with SIGKILL is restarted after its back-off, ready again and answering")
    void restartedAfterSigkill() throws Exception {
        try (MagiEngine engine = engine(null, "stories260K.gguf")) {
            ServerSupervisor supervisor = engine.supervisor();
            List<ServerState> states = new CopyOnWriteArrayList<>();
            supervisor.addListener(s -> states.add(s.state()));
            long firstPid = supervisor.start("stories260k", true).pid();

            assertThat(ProcessHandle.of(firstPid).orElseThrow().destroyForcibly()).isTrue();

            ServerStatus again = Eventually.awaitValue(PATIENCE, "ready again as another process",
                    () -> supervisor.server("stories260k").orElseThrow(),
                    s -> s.isReady() && s.pid() != null && s.pid() != firstPid);
            assertThat(again.restartCount()).isEqualTo(1);
            assertThat(again.lastError()).isNotBlank();
            // The crash went through the back-off state rather than a plain new start.
            Eventually.await(PATIENCE, "the ready event of the restarted server",
                    () -> states.lastIndexOf(ServerState.READY) > states.indexOf(ServerState.RESTARTING));
            assertThat(states).containsSubsequence(ServerState.READY, ServerState.RESTARTING, ServerState.READY);
            assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            JsonNode completion = complete(again.port(), "Once upon a time");
            assertThat(completion.path("choices").path(0).path("text").asText()).isNotBlank();
            supervisor.stop("stories260k");
        }
    }

    @Test
    @DisplayName("says its real version and build, and its start, pid and port are noted in its log")
    void versionAndNotes() throws Exception {
        try (MagiEngine engine = engine(null, "stories260K.gguf")) {
            LlamaServerVersion version = engine.llamaServer().current();

            assertThat(version.error()).isNull();
            assertThat(version.path()).isEqualTo(binary.toString());
            // e.g. "0.7.0 (build 11669, commit Debian)" or upstream's "4567 (6152129d)".
            assertThat(version.version()).matches("\\S+ \\(.+\\)");
            assertThat(version.build()).contains(" for ");

            ServerStatus ready = engine.supervisor().start("stories260k", true);

            assertThat(engine.supervisor().logs("stories260k", 1000))
                    .filteredOn(line -> line.stream().equals(LogLine.MAGI)).extracting(LogLine::line)
                    .anyMatch(line -> line.startsWith("starting: " + binary + " --model "))
                    .contains("started pid " + ready.pid() + " on port " + ready.port());
            engine.supervisor().stop("stories260k");
        }
    }

    @Test
    @DisplayName("a profile of two real models starts both, ready and answering; another profile stops the one it leaves out")
    void profileOfTwo() throws Exception {
        try (MagiEngine engine = engine(null, "tale-one.gguf", "tale-two.gguf", "tale-three.gguf")) {
            engine.profiles().create(ModelProfile.withDefaults("pair", null, List.of("tale-one", "tale-two")));
            engine.profiles().create(ModelProfile.withDefaults("next", null, List.of("tale-two", "tale-three")));
            ServerSupervisor supervisor = engine.supervisor();

            ProfileActivator.Result pair = engine.activator().activate("pair");

            assertThat(pair.failed()).isEmpty();
            assertThat(pair.started()).containsExactlyInAnyOrder("tale-one", "tale-two");
            ServerStatus one = supervisor.server("tale-one").orElseThrow();
            ServerStatus two = supervisor.server("tale-two").orElseThrow();
            assertThat(List.of(one, two)).allMatch(ServerStatus::isReady);
            assertThat(complete(one.port(), "Once upon a time").path("model").asText()).isEqualTo("tale-one");
            assertThat(complete(two.port(), "Once upon a time").path("model").asText()).isEqualTo("tale-two");
            assertThat(supervisor.server("tale-three")).map(ServerStatus::isRunning).isNotEqualTo(Optional.of(true));

            ProfileActivator.Result next = engine.activator().activate("next");

            assertThat(next.failed()).isEmpty();
            assertThat(next.stopped()).containsExactly("tale-one");
            assertThat(next.started()).contains("tale-three");
            assertThat(supervisor.server("tale-one").orElseThrow().state()).isEqualTo(ServerState.STOPPED);
            Eventually.await(PATIENCE, "the server of tale-one to be gone",
                    () -> ProcessHandle.of(one.pid()).map(p -> !p.isAlive()).orElse(true));
            ServerStatus kept = supervisor.server("tale-two").orElseThrow();
            assertThat(kept.pid()).as("a server of both profiles keeps running").isEqualTo(two.pid());
            ServerStatus three = supervisor.server("tale-three").orElseThrow();
            assertThat(three.isReady()).isTrue();
            assertThat(complete(kept.port(), "Once upon a time").path("model").asText()).isEqualTo("tale-two");
            assertThat(complete(three.port(), "Once upon a time").path("model").asText()).isEqualTo("tale-three");
            assertThat(engine.profiles().active()).contains("next");
            supervisor.stopAll();
        }
    }

    /**
     * An engine over copies of the real model under {@code fileNames}, with a port range of its own
     * and {@code llamaArgs} (or none) as LLAMA_SERVER_ARGS.
     */
    private MagiEngine engine(String llamaArgs, String... fileNames) throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        for (String name : fileNames) {
            Files.copy(model, models.resolve(name));
        }
        int firstPort = FreePorts.rangeStart(4);
        String portRange = firstPort + "-" + (firstPort + 3);
        MagiEngine.Builder builder = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, binary.toString())
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, portRange)
                .set(ConfigKey.MAX_STARTUP_TIME, "60")
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "5");
        if (llamaArgs != null) {
            builder.set(ConfigKey.LLAMA_ARGS, llamaArgs);
        }
        return builder.build();
    }

    private static JsonNode get(int port, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(PATIENCE)
                .GET()
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }

    private static JsonNode complete(int port, String prompt) throws Exception {
        ObjectMapper json = new ObjectMapper();
        String body = json.writeValueAsString(Map.of("prompt", prompt, "max_tokens", 16, "temperature", 0));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                .header("Content-Type", "application/json")
                .timeout(PATIENCE)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
