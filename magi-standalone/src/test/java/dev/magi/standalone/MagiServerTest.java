package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The standalone server, in-process on a free port")
class MagiServerTest {
    private static final String MODEL = "small-1b-q4_k_m";

    @TempDir
    Path dir;
    private MagiServer server;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .build();
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
        http = new Http(server.uri());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @DisplayName("binds a free port when asked for port 0 and says where")
    void freePort() {
        assertThat(server.port()).isPositive();
        assertThat(server.uri()).hasToString("http://127.0.0.1:" + server.port() + "/");
    }

    @Test
    @DisplayName("answers /health")
    void health() throws Exception {
        Http.Reply reply = http.get("/health");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("status").asText()).isEqualTo("ok");
    }

    @Test
    @DisplayName("serves the WebUI at / with its scripts and styles")
    void webUi() throws Exception {
        Http.Reply page = http.get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(page.body()).contains("<title>MAGI</title>").contains("app.js");
        for (String file : new String[]{"/app.js", "/api.js", "/style.css"}) {
            Http.Reply asset = http.get(file);
            assertThat(asset.status()).as(file).isEqualTo(200);
            assertThat(asset.body()).as(file).isNotBlank();
        }
        assertThat(http.get("/missing.js").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("serves the registry and changes a tier")
    void registryAndTier() throws Exception {
        assertThat(http.get("/api/models/registry").json().path("models").has(MODEL)).isTrue();

        Http.Reply reply = http.put("/api/models/" + MODEL + "/tier", "{\"tier\": \"powerful\"}");
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().path("tier").asText()).isEqualTo("powerful");
        assertThat(http.get("/api/models/" + MODEL).json().path("effectiveTier").asText()).isEqualTo("powerful");
    }

    @Test
    @DisplayName("answers the API's error shape for an unknown model, path and method")
    void errors() throws Exception {
        Http.Reply model = http.get("/api/models/nope");
        assertThat(model.status()).isEqualTo(404);
        assertThat(model.json().path("error").asText()).isEqualTo("ModelNotFound");

        Http.Reply path = http.get("/nowhere");
        assertThat(path.status()).isEqualTo(404);
        assertThat(path.json().path("error").asText()).isEqualTo("NotFound");

        Http.Reply method = http.send("DELETE", "/health", null);
        assertThat(method.status()).isEqualTo(405);
        assertThat(method.json().path("error").asText()).isEqualTo("MethodNotAllowed");
    }

    @Test
    @DisplayName("answers JSON, not Jetty's HTML page, when Jetty refuses a URI before the API sees it")
    void jettyErrorsAreJson() throws Exception {
        Http.Reply reply = http.get("/api/models/profiles/..%2F..%2Fevil");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.contentType()).startsWith("application/json");
        assertThat(reply.json().path("error").asText()).isEqualTo("InvalidRequest");
        assertThat(reply.json().path("message").asText()).isNotBlank();
        assertThat(reply.json().path("details").isObject()).isTrue();
        assertThat(reply.body()).doesNotContain("<html").doesNotContain("at org.");

        Http.Reply tooLarge = http.send("GET", "/health", null, "X-Padding", "x".repeat(20_000));
        assertThat(tooLarge.status()).isEqualTo(431);
        assertThat(tooLarge.json().path("error").asText()).isEqualTo("InvalidRequest");
    }

    @Test
    @DisplayName("lets a request in flight finish when it is closed")
    void gracefulStop() throws Exception {
        String body = "{\"tier\": \"fast\"}";
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/models/" + MODEL + "/tier HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                    + body.substring(0, 5)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Eventually.await(Duration.ofSeconds(30), "the request to reach the server",
                    () -> server.requestsInFlight() > 0);
            int port = server.port();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            // Jetty's stop refuses new connections first, then waits for the requests in flight: once
            // it refuses them, a close that did not wait would be on its way to done.
            Eventually.await(Duration.ofSeconds(30), "the server to stop taking connections", () -> !accepts(port));
            assertThat(closing).isNotDone();
            out.write(body.substring(5).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 200").contains("\"tier\":\"fast\"");
            closing.get(10, TimeUnit.SECONDS);
        }
    }

    /** Whether a connection to {@code port} on the loopback address is taken now. */
    private static boolean accepts(int port) {
        try {
            new Socket("127.0.0.1", port).close();
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    @Test
    @DisplayName("stops serving when closed, and may be closed twice")
    void close() {
        server.close();
        server.close();
        assertThatThrownBy(() -> http.get("/health")).isInstanceOf(IOException.class);
    }
}
