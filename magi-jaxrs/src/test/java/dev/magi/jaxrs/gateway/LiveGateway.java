package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.ApiServer;
import dev.magi.jaxrs.SseClient;
import dev.magi.spi.Tier;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MAGI with its gateway, served over real HTTP on a free port, over a temporary directory: small GGUF
 * models written to order (all enabled, each with the tier it is given), the fake llama-server as
 * {@code LLAMA_SERVER_PATH} recording its runs and what it saw, and short settings (readiness every
 * 0.2 s, a stop timeout of 1 s) so that tests do not wait on production timings. What differs between
 * tests is said to its {@link Builder}. Closing it closes the engine, which stops every server.
 */
final class LiveGateway implements AutoCloseable {
    /** How long a condition may take before a test gives up: generous, since machines are busy. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Path dir;
    private final MagiEngine engine;
    private final ApiServer api;

    private LiveGateway(Path dir, MagiEngine engine, ApiServer api) {
        this.dir = dir;
        this.engine = engine;
        this.api = api;
    }

    /** A gateway to be built over {@code dir}, a test's temporary directory. */
    static Builder in(Path dir) {
        return new Builder(dir);
    }

    /** What a test's MAGI has: its models, its fake, its settings; the rest is shared. */
    static final class Builder {
        private final Path dir;
        private final Map<String, GgufWriter> models = new LinkedHashMap<>();
        private final Map<String, Tier> tiers = new LinkedHashMap<>();
        private final Map<ConfigKey, String> settings = new EnumMap<>(ConfigKey.class);
        private final List<Consumer<MagiEngine>> preparations = new ArrayList<>();
        private FakeLlamaServer.Launcher fake = FakeLlamaServer.launcher();
        private Duration firstRestartDelay;
        private Duration longestRestartDelay;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** A small typical model whose id is {@code id}, with the tier its name gives it. */
        Builder model(String id) {
            return model(id, GgufWriter.typicalModel());
        }

        /** A small typical model whose id is {@code id}, in {@code tier} whatever its name says. */
        Builder model(String id, Tier tier) {
            tiers.put(id, tier);
            return model(id);
        }

        /** A model of this header (its size, its context length), whose id is {@code id}. */
        Builder model(String id, GgufWriter header) {
            models.put(id, header);
            return this;
        }

        /** The fake's options; its runs and what it saw are recorded whatever they are. */
        Builder fake(FakeLlamaServer.Launcher fake) {
            this.fake = fake;
            return this;
        }

        Builder set(ConfigKey key, String value) {
            settings.put(key, value);
            return this;
        }

        /** How long a crashed (or failed) server waits before it is started again, doubling up to {@code longest}. */
        Builder restartBackOff(Duration first, Duration longest) {
            this.firstRestartDelay = first;
            this.longestRestartDelay = longest;
            return this;
        }

        /** Something done to the engine once it is built, before it is served (a profile, say). */
        Builder prepared(Consumer<MagiEngine> preparation) {
            preparations.add(preparation);
            return this;
        }

        /** Writes the models and the fake, builds the engine (which scans the models) and serves it. */
        LiveGateway start() throws Exception {
            Path modelsDir = Files.createDirectories(dir.resolve("models"));
            models.forEach((id, header) -> header.writeTo(modelsDir.resolve(id + ".gguf")));
            Path launcher = dir.resolve("bin/llama-server");
            fake.runsFile(runsFile(dir)).eventsFile(eventsFile(dir)).writeTo(launcher);
            int ports = FreePorts.rangeStart(10);
            MagiEngine.Builder builder = MagiEngine.builder().withoutEnvironment()
                    .set(ConfigKey.SCAN_PATH, modelsDir.toString())
                    .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                    .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                    .set(ConfigKey.WATCH, "false")
                    .set(ConfigKey.LLAMA_SERVER, launcher.toString())
                    .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                    .set(ConfigKey.PORT_RANGE, ports + "-" + (ports + 9))
                    .set(ConfigKey.MAX_STARTUP_TIME, "30")
                    .set(ConfigKey.READINESS_INTERVAL, "0.2")
                    .set(ConfigKey.STOP_TIMEOUT, "1");
            settings.forEach(builder::set);
            if (firstRestartDelay != null) {
                builder.supervision(options -> options.withRestartPolicy(firstRestartDelay, longestRestartDelay, 5,
                        Duration.ofMinutes(10)));
            }
            MagiEngine engine = builder.build();
            try {
                engine.registry().setAllEnabled(true);
                tiers.forEach(engine.registry()::setTierOverride);
                preparations.forEach(preparation -> preparation.accept(engine));
                return new LiveGateway(dir, engine, new ApiServer(engine));
            } catch (Exception | Error e) {
                engine.close();
                throw e;
            }
        }
    }

    MagiEngine engine() {
        return engine;
    }

    ApiServer api() {
        return api;
    }

    /** How many times the fake has been started. */
    int runs() throws IOException {
        Path file = runsFile(dir);
        return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    }

    /** What the fakes saw of their requests ({@code done PATH}, {@code client-gone PATH}), in order. */
    List<String> fakeEvents() {
        try {
            Path file = eventsFile(dir);
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The server of a model as {@code GET /api/models/servers} lists it; failing when it does not. */
    JsonNode server(String modelId) throws Exception {
        ApiServer.Reply reply = api.get("/api/models/servers");
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        for (JsonNode server : reply.json().path("servers")) {
            if (server.path("modelId").asText().equals(modelId)) {
                return server;
            }
        }
        throw new AssertionError("no server record of " + modelId + " in " + reply.raw().body());
    }

    /** Sends a chat completion and answers as soon as the headers are in: the body is read as it comes. */
    HttpResponse<InputStream> openStream(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(api.uri("/v1/chat/completions")).timeout(PATIENCE)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return api.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    /** Opens {@code GET /api/models/events}. */
    SseClient events() throws Exception {
        return SseClient.open(api.client(), api.uri("/api/models/events"));
    }

    @Override
    public void close() throws Exception {
        try {
            api.close();
        } finally {
            engine.close();
        }
    }

    // ---------------------------------------------------------------- requests and answers

    /** A chat completion of one user message, "hi". */
    static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    }

    /** A chat completion of a system message and a user message {@code text}, streamed or not. */
    static String chat(String model, String text, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"messages\":[{\"role\":\"system\","
                + "\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    /** An error in OpenAI's shape: {@code {"error": {"message", "type", "code", ...}}}. */
    static void assertOpenAiError(ApiServer.Reply reply, int status, String type, String code) {
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(status);
        JsonNode error = reply.json().path("error");
        assertThat(error.path("type").asText()).isEqualTo(type);
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
    }

    /** The value of the sample {@code name{labels}} in Prometheus text; the labels in any order. */
    static double sample(String metrics, String name, String... labels) {
        List<Double> found = new ArrayList<>();
        for (String line : metrics.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            boolean all = true;
            for (String label : labels) {
                all &= line.contains(label);
            }
            if (all) {
                found.add(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        assertThat(found).as(name + " " + List.of(labels) + " in\n" + metrics).hasSize(1);
        return found.get(0);
    }

    /** The next non-empty line of a server-sent event stream, or null at its end. */
    static String nextLine(BufferedReader reader) throws IOException {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (!line.isEmpty()) {
                return line;
            }
        }
        return null;
    }

    /** Every non-empty line of a server-sent event stream, read to its end. */
    static List<String> lines(HttpResponse<InputStream> response) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            for (String line = nextLine(reader); line != null; line = nextLine(reader)) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static Path runsFile(Path dir) {
        return dir.resolve("runs.txt");
    }

    private static Path eventsFile(Path dir) {
        return dir.resolve("events.txt");
    }
}
