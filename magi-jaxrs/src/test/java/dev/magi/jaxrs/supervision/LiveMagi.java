package dev.magi.jaxrs.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.ApiServer;
import dev.magi.jaxrs.SseClient;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.Processes;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A MAGI engine over a temporary directory, served over real HTTP, with the fake llama-server as
 * {@code LLAMA_SERVER_PATH} and short settings (readiness interval 0.2 s, stop timeout 1 s, restarts
 * after 50 ms). It can be stopped and started again over the same directories, as a user restarts
 * MAGI. Closing it closes the engine, which stops every server.
 */
final class LiveMagi implements AutoCloseable {
    /** How long a condition may take before a test gives up: generous, since machines are busy. */
    static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Pattern CHILD_PID = Pattern.compile("fake: started child pid (\\d+)");

    final Path dir;
    final Path modelsDir;
    final Path profilesDir;
    final Path launcher;
    final Path runsFile;
    final int firstPort;
    final int lastPort;
    private final Map<String, String> settings = new HashMap<>();
    private MagiEngine engine;
    private ApiServer api;

    LiveMagi(Path dir) throws IOException {
        this(dir, 10);
    }

    LiveMagi(Path dir, int portCount) throws IOException {
        this.dir = dir;
        this.modelsDir = Files.createDirectories(dir.resolve("models"));
        this.profilesDir = Files.createDirectories(dir.resolve("profiles"));
        this.launcher = dir.resolve("bin/llama-server");
        this.runsFile = dir.resolve("runs.txt");
        this.firstPort = freeRangeStart(portCount);
        this.lastPort = firstPort + portCount - 1;
        set(ConfigKey.SCAN_PATH, modelsDir.toString());
        set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString());
        set(ConfigKey.PROFILES_PATH, profilesDir.toString());
        set(ConfigKey.WATCH, "false");
        set(ConfigKey.LLAMA_SERVER, launcher.toString());
        set(ConfigKey.LLAMA_HOST, "127.0.0.1");
        set(ConfigKey.PORT_RANGE, firstPort + "-" + lastPort);
        set(ConfigKey.MAX_STARTUP_TIME, "30");
        set(ConfigKey.READINESS_INTERVAL, "0.2");
        set(ConfigKey.STOP_TIMEOUT, "1");
    }

    LiveMagi set(ConfigKey key, String value) {
        settings.put(key.variable(), value);
        return this;
    }

    /** Writes a small real GGUF model; name it in lower case and its id is the name without {@code .gguf}. */
    LiveMagi model(String fileName) {
        GgufWriter.typicalModel().writeTo(modelsDir.resolve(fileName));
        return this;
    }

    /** The fake, recording each run's pid in {@link #runsFile}. */
    FakeLlamaServer.Launcher fake() {
        return FakeLlamaServer.launcher().runsFile(runsFile);
    }

    /** Installs a launcher of the fake as {@code LLAMA_SERVER_PATH}. */
    LiveMagi install(FakeLlamaServer.Launcher fake) throws IOException {
        fake.writeTo(launcher);
        return this;
    }

    /** Builds the engine (which scans the models folder) and serves it. */
    LiveMagi start() throws Exception {
        engine = build();
        api = new ApiServer(engine, config -> config.register(OpenStreamsResource.class));
        return this;
    }

    /** An engine over this directory with these settings, not served. */
    MagiEngine build() {
        MagiEngine.Builder builder = MagiEngine.builder().withoutEnvironment()
                .supervision(o -> o.withRestartPolicy(Duration.ofMillis(50), Duration.ofMillis(400), 5,
                        Duration.ofMinutes(10)));
        settings.forEach(builder::set);
        return builder.build();
    }

    /** Stops MAGI as a user does (its servers stop with it) and starts it again over the same files. */
    LiveMagi restart() throws Exception {
        close();
        return start();
    }

    MagiEngine engine() {
        return engine;
    }

    ApiServer api() {
        return api;
    }

    // ---------------------------------------------------------------- HTTP

    ApiServer.Reply get(String path) throws Exception {
        return api.get(path);
    }

    ApiServer.Reply post(String path) throws Exception {
        return api.post(path, null);
    }

    ApiServer.Reply post(String path, String json) throws Exception {
        return api.post(path, json);
    }

    ApiServer.Reply put(String path, String json) throws Exception {
        return api.put(path, json);
    }

    /** The server of a model as {@code GET /servers} lists it, if it does. */
    Optional<JsonNode> server(String id) throws Exception {
        ApiServer.Reply reply = get("/api/models/servers");
        if (reply.status() != 200) {
            throw new AssertionError("GET /servers answered " + reply.status() + ": " + reply.raw().body());
        }
        for (JsonNode server : reply.json().path("servers")) {
            if (server.path("modelId").asText().equals(id)) {
                return Optional.of(server);
            }
        }
        return Optional.empty();
    }

    /** Polls {@code GET /servers} until the model's server satisfies {@code condition}; answers it. */
    JsonNode awaitServer(String id, String what, Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        await(id + ": " + what + " (last seen: %s)", () -> {
            try {
                last[0] = server(id).orElse(null);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return last[0] != null && condition.test(last[0]);
        }, () -> String.valueOf(last[0]));
        return last[0];
    }

    /** How many event streams the API holds open, as a test-only resource reports it. */
    int openStreams() throws Exception {
        return get(OpenStreamsResource.PATH).json().asInt();
    }

    /** Opens a server-sent event stream. */
    SseClient stream(String path) throws Exception {
        return SseClient.open(api.client(), api.uri(path));
    }

    /**
     * The pid of the child the fake started, read from the server's log over HTTP once the line has
     * been drained from the fake's output (which can be a moment after the server turned ready).
     */
    long childPid(String id) throws Exception {
        return Eventually.awaitValue(PATIENCE, "the fake of '" + id + "' to log its child", () -> {
            for (JsonNode line : get("/api/models/servers/" + id + "/logs?tail=1000").json().path("lines")) {
                Matcher m = CHILD_PID.matcher(line.path("line").asText());
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
            return null;
        }, pid -> pid != null);
    }

    /** The pids of every run of the fake, in order. */
    List<Long> runs() throws IOException {
        if (!Files.exists(runsFile)) {
            return List.of();
        }
        return Files.readAllLines(runsFile, StandardCharsets.UTF_8).stream().map(Long::parseLong).toList();
    }

    @Override
    public void close() throws Exception {
        try {
            if (api != null) {
                api.close();
            }
        } finally {
            api = null;
            if (engine != null) {
                engine.close();
            }
            engine = null;
        }
    }

    // ---------------------------------------------------------------- helpers

    static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> "");
    }

    /** Waits until {@code condition} holds, failing after {@link #PATIENCE}; {@code %s} in what gets {@code last}. */
    static void await(String what, BooleanSupplier condition, Supplier<String> last) {
        Eventually.await(PATIENCE, () -> what.replace("%s", last.get()), condition);
    }

    /** See {@link Processes#isRunning}. */
    static boolean isRunning(long pid) {
        return Processes.isRunning(pid);
    }

    /** Listens on a port of the loopback address, as another program holding it would. */
    static ServerSocket hold(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    /** The first of {@code count} ports free now; see {@link FreePorts}. */
    private static int freeRangeStart(int count) {
        return FreePorts.rangeStart(count);
    }
}
