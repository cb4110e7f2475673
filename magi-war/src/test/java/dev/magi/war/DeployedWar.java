package dev.magi.war;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built WAR, deployed unchanged into a real container on a free port with its settings as
 * context parameters, then exercised over HTTP and undeployed. Each container's test says how it
 * deploys and undeploys; the behaviour expected is the same.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class DeployedWar {
    static final String CONTEXT_PATH = "/magi";
    private static final String MODEL = "small-1b-q4_k_m";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;

    // The WAR logs through slf4j-jdk14 to java.util.logging, which is shared by every class loader.
    private final Logger magiLogger = Logger.getLogger("dev.magi");
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private URI base;

    /** Deploys {@code war} at {@link #CONTEXT_PATH} with these context parameters; answers the server's root. */
    abstract URI deploy(Path war, Map<String, String> contextParameters, Path workDir) throws Exception;

    /** Deploys {@code war} once more, at {@code contextPath}, into the running container. */
    abstract void deployAnother(Path war, String contextPath, Map<String, String> contextParameters, Path workDir)
            throws Exception;

    /** Undeploys the WAR, leaving the container running. */
    abstract void undeploy() throws Exception;

    /** Stops the container. */
    abstract void stopContainer() throws Exception;

    static Path war() {
        Path war = Path.of(System.getProperty("magi.war", "target/magi.war"));
        assertThat(war).as("the WAR, built by 'package'").isRegularFile();
        return war;
    }

    @BeforeAll
    void deployWar(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        magiLogger.addHandler(logCapture);
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        Files.createDirectories(dir.resolve("work"));
        // The fake llama-server holds its stream after the first chunk until this file exists.
        FakeLlamaServer.launcher().streamGate(dir.resolve("stream-gate")).stream(4, 0)
                .writeTo(dir.resolve("bin/llama-server"));
        int ports = FreePorts.rangeStart(5);
        URI root = deploy(war(), Map.of(
                "MODEL_SCAN_PATH", dir.resolve("models").toString(),
                "REGISTRY_PATH", dir.resolve("data/model_registry.json").toString(),
                "PROFILES_PATH", dir.resolve("profiles").toString(),
                "MAGI_WATCH", "false",
                "LLAMA_SERVER_PATH", dir.resolve("bin/llama-server").toString(),
                "PORT_RANGE", ports + "-" + (ports + 4),
                "READINESS_CHECK_INTERVAL", "0.2",
                "STOP_TIMEOUT", "1"), dir.resolve("work"));
        base = root.resolve(CONTEXT_PATH + "/");
    }

    @AfterAll
    void stop() throws Exception {
        try {
            stopContainer();
        } finally {
            magiLogger.removeHandler(logCapture);
        }
    }

    record Reply(int status, String contentType, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    Reply send(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                response.body());
    }

    @Test
    @Order(1)
    @DisplayName("answers /health under the context path")
    void health() throws Exception {
        Reply reply = send("GET", "health", null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("status").asText()).isEqualTo("ok");
    }

    @Test
    @Order(2)
    @DisplayName("serves the registry scanned from the context parameter's path")
    void registry() throws Exception {
        Reply reply = send("GET", "api/models/registry", null);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("models").has(MODEL)).as(reply.body()).isTrue();
    }

    @Test
    @Order(2)
    @DisplayName("serves the WebUI and its chart library from the WebJar under the context path")
    void webUi() throws Exception {
        Reply page = send("GET", "", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("href=\"vendor/uPlot.min.css\"");
        Reply chart = send("GET", "vendor/uPlot.esm.js", null);
        assertThat(chart.status()).isEqualTo(200);
        assertThat(chart.contentType()).startsWith("text/javascript");
        assertThat(chart.body().contains("export { uPlot as default }")).as("uPlot's ES module").isTrue();
    }

    @Test
    @Order(2)
    @DisplayName("serves the gateway's model list under the context path")
    void gatewayModels() throws Exception {
        Reply reply = send("GET", "v1/models", null);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonNode data = reply.json().path("data");
        assertThat(data.get(0).path("id").asText()).as(reply.body()).isEqualTo(MODEL);
        assertThat(data.get(data.size() - 1).path("id").asText()).isEqualTo("auto");
    }

    @Test
    @Order(2)
    @DisplayName("streams a chat completion through the gateway: the first chunk arrives before the last is made")
    void streamedChat() throws Exception {
        String body = "{\"model\":\"" + MODEL + "\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}";
        HttpRequest request = HttpRequest.newBuilder(base.resolve("v1/chat/completions"))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-MAGI-Model")).contains(MODEL);
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            // The fake sends no second chunk before the gate exists: this line came through alone. Read
            // with a bound, so that an answer held back by a buffer fails the test instead of hanging it.
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    return nextLine(reader);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(30, TimeUnit.SECONDS);
            assertThat(first).contains("tok0");
            Files.createFile(dir.resolve("stream-gate"));
            List<String> rest = new ArrayList<>();
            for (String line = nextLine(reader); line != null; line = nextLine(reader)) {
                rest.add(line);
            }
            assertThat(rest).hasSize(4);
            assertThat(rest.get(2)).contains("tok3");
            assertThat(rest.get(3)).isEqualTo("data: [DONE]");
        }
    }

    private static String nextLine(BufferedReader reader) throws IOException {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            if (!line.isEmpty()) {
                return line;
            }
        }
        return null;
    }

    @Test
    @Order(3)
    @DisplayName("changes a tier")
    void tier() throws Exception {
        Reply reply = send("PUT", "api/models/" + MODEL + "/tier", "{\"tier\": \"powerful\"}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().path("tier").asText()).isEqualTo("powerful");
        assertThat(send("GET", "api/models/" + MODEL, null).json().path("tierOverride").asText())
                .isEqualTo("powerful");
    }

    @Test
    @Order(4)
    @DisplayName("answers errors as JSON, not as the container's page")
    void errors() throws Exception {
        Reply model = send("GET", "api/models/nope", null);
        assertThat(model.status()).isEqualTo(404);
        assertThat(model.contentType()).startsWith("application/json");
        assertThat(model.json().path("error").asText()).isEqualTo("ModelNotFound");

        Reply path = send("GET", "api/nothing/here", null);
        assertThat(path.status()).isEqualTo(404);
        assertThat(path.json().path("error").asText()).isEqualTo("NotFound");

        Reply method = send("DELETE", "api/models/registry", null);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.contentType()).startsWith("application/json");
        assertThat(method.json().path("error").asText()).isEqualTo("MethodNotAllowed");

        Reply malformed = send("PUT", "api/models/" + MODEL + "/tier", "{\"tier\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json().path("error").asText()).isEqualTo("InvalidRequest");
    }

    @Test
    @Order(5)
    @DisplayName("with a setting MAGI cannot start on, stays deployed and answers 503 ServiceUnavailable with the reason")
    void cannotStart() throws Exception {
        deployAnother(war(), "/magi-misconfigured", Map.of(
                "MODEL_SCAN_PATH", dir.resolve("models").toString(),
                "REGISTRY_PATH", dir.resolve("misconfigured/model_registry.json").toString(),
                "PROFILES_PATH", dir.resolve("misconfigured/profiles").toString(),
                "MAGI_STORE", "nosuchstore",
                "MAGI_WATCH", "false"), Files.createDirectories(dir.resolve("work-misconfigured")));

        for (String path : new String[] {"api/models/registry", "health", ""}) {
            Reply reply = send("GET", "../magi-misconfigured/" + path, null);
            assertThat(reply.status()).as(path).isEqualTo(503);
            assertThat(reply.contentType()).startsWith("application/json");
            assertThat(reply.json().path("error").asText()).isEqualTo("ServiceUnavailable");
            assertThat(reply.json().path("message").asText()).startsWith("MAGI cannot start: ")
                    .contains("nosuchstore").contains("json");
            assertThat(reply.json().path("details").path("cause").asText()).isEqualTo("InvalidConfiguration");
        }
        assertThat(logged).anyMatch(line -> line.startsWith("MAGI cannot start: ") && line.contains("nosuchstore"));
        assertThat(send("GET", "health", null).status()).as("the other deployment is unaffected").isEqualTo(200);
    }

    @Test
    @Order(Integer.MAX_VALUE)
    @DisplayName("closes the engine when undeployed")
    void undeployClosesTheEngine() throws Exception {
        assertThat(dir.resolve("data/model_registry.json")).isRegularFile();
        assertThat(logged).doesNotContain("MAGI engine stopped");

        undeploy();

        assertThat(logged).contains("MAGI engine stopped", "MAGI undeployed");
        assertThat(send("GET", "health", null).status()).isEqualTo(404);
    }
}
