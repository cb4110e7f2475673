package dev.magi.jaxrs.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.jaxrs.ApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts refused before any process runs: each answer is a clear error, never a 500. */
@DisplayName("A start refused over HTTP")
class StartRefusalsOverHttpTest {
    private static final String SERVERS = "/api/models/servers/";

    @TempDir
    Path dir;
    LiveMagi live;

    @BeforeEach
    void setUp() throws Exception {
        // One port only, so that a second model finds the range exhausted.
        live = new LiveMagi(dir, 1).model("alpha-1b-q4_0.gguf").model("beta-1b-q4_0.gguf")
                .model("split-7b-q4_0-00001-of-00002.gguf");
    }

    @AfterEach
    void tearDown() throws Exception {
        live.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST start", "POST stop", "GET logs", "GET logs/stream"})
    @DisplayName("answers 404 ModelNotFound for an unknown model on")
    void unknownModel(String request) throws Exception {
        live.install(live.fake()).start();
        String[] parts = request.split(" ");
        String path = SERVERS + "ghost/" + parts[1];

        ApiServer.Reply reply = live.api().send(parts[0], path, (String) null);

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(404);
        assertThat(reply.json().path("error").asText()).isEqualTo("ModelNotFound");
        assertThat(reply.json().path("details").path("modelId").asText()).isEqualTo("ghost");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"logs?tail=abc", "logs?tail=-1", "logs?tail=1001", "logs/stream?tail=abc",
            "logs/stream?tail=-1", "logs/stream?tail=1001"})
    @DisplayName("answers 400 InvalidRequest naming tail for a tail that is not 0 to 1000")
    void badTail(String request) throws Exception {
        live.install(live.fake()).start();

        // Read as a stream: a stream opened by mistake must fail the test, not hang it.
        HttpResponse<InputStream> reply = live.api().client().send(
                HttpRequest.newBuilder(live.api().uri(SERVERS + "alpha-1b-q4_0/" + request)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = reply.body()) {
            assertThat(reply.statusCode()).isEqualTo(400);
            JsonNode error = new ObjectMapper().readTree(body);
            assertThat(error.path("error").asText()).isEqualTo("InvalidRequest");
            assertThat(error.path("message").asText()).contains("tail");
        }
    }

    @Test
    @DisplayName("answers 502 ServerStartFailed naming the path of a missing llama-server binary")
    void missingBinary() throws Exception {
        live.start();

        ApiServer.Reply reply = live.post(SERVERS + "alpha-1b-q4_0/start");

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(502);
        assertThat(reply.json().path("error").asText()).isEqualTo("ServerStartFailed");
        assertThat(reply.json().path("message").asText()).contains("not found at " + live.launcher)
                .contains("LLAMA_SERVER_PATH");
        assertThat(reply.json().path("details").path("path").asText()).isEqualTo(live.launcher.toString());
        JsonNode server = live.server("alpha-1b-q4_0").orElseThrow();
        assertThat(server.path("state").asText()).isEqualTo("failed");
        assertThat(server.path("lastError").asText()).contains(live.launcher.toString());
    }

    @Test
    @DisplayName("answers 502 ServerStartFailed naming the path of a llama-server that is not executable")
    void binaryNotExecutable() throws Exception {
        live.start();
        Files.createDirectories(live.launcher.getParent());
        Files.writeString(live.launcher, "#!/bin/sh\nexit 0\n");

        ApiServer.Reply reply = live.post(SERVERS + "alpha-1b-q4_0/start");

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(502);
        assertThat(reply.json().path("error").asText()).isEqualTo("ServerStartFailed");
        assertThat(reply.json().path("message").asText()).contains(live.launcher + " is not an executable file");
        assertThat(reply.json().path("details").path("path").asText()).isEqualTo(live.launcher.toString());
    }

    @Test
    @DisplayName("answers 409 ModelNotRunnable for a split model with a part missing")
    void splitModelWithAMissingPart() throws Exception {
        live.install(live.fake()).start();
        String id = live.engine().registry().snapshot().models().values().stream()
                .filter(m -> m.filename().startsWith("split-")).findFirst().orElseThrow().modelId();

        ApiServer.Reply reply = live.post(SERVERS + id + "/start");

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(409);
        assertThat(reply.json().path("error").asText()).isEqualTo("ModelNotRunnable");
        assertThat(reply.json().path("details").path("problems").toString()).contains("missing part 2 of 2");
        assertThat(live.runs()).isEmpty();
    }

    @Test
    @DisplayName("answers 409 PortRangeExhausted when every port of the range is taken by another model")
    void portRangeExhausted() throws Exception {
        live.install(live.fake()).start();
        live.put("/api/models/alpha-1b-q4_0/port", "{\"port\": " + live.firstPort + "}");

        ApiServer.Reply reply = live.post(SERVERS + "beta-1b-q4_0/start");

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(409);
        assertThat(reply.json().path("error").asText()).isEqualTo("PortRangeExhausted");
        assertThat(reply.json().path("details").path("modelId").asText()).isEqualTo("beta-1b-q4_0");
        assertThat(live.runs()).isEmpty();
    }
}
