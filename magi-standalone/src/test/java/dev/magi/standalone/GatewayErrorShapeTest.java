package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.RawHttp;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the standalone answers on the gateway's paths before the gateway sees a request (a body that
 * could not be gathered, a request Jetty refuses) is in OpenAI's error shape, which OpenAI's client
 * libraries read; under {@code /api} the same failures keep the API's shape. Over raw HTTP, since the
 * requests under test are ones a well-behaved client never sends.
 */
@DisplayName("Errors the standalone answers on the gateway's paths before the gateway runs")
class GatewayErrorShapeTest {
    private static final String CHAT = "/v1/chat/completions";
    private static final String TIER_PATH = "/api/models/small-1b-q4_k_m/tier";

    @TempDir
    Path dir;
    private MagiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {CHAT, "/upstream/small-1b-q4_k_m/completion", "/tokenize"})
    @DisplayName("a chunked body of a few bytes whose chunks are broken is 400 invalid_json in OpenAI's shape")
    void brokenChunkedBody(String path) throws Exception {
        start("30");
        RawHttp.Reply reply = sendBrokenChunks(path);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertOpenAiError(reply, "invalid_request_error", "invalid_json").contains("ended before it was complete");
    }

    @Test
    @DisplayName("a broken chunked body under /api is still 400 InvalidRequest in the API's shape")
    void brokenChunkedBodyUnderTheApi() throws Exception {
        start("30");
        RawHttp.Reply reply = sendBrokenChunks(TIER_PATH);

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(Http.JSON.readTree(reply.body()).path("error").asText()).isEqualTo("InvalidRequest");
    }

    @Test
    @DisplayName("a body that stalls past the body timeout is 400 invalid_json in OpenAI's shape under /v1, as the"
            + " gateway answers a stalled body it reads itself, and 408 RequestTimeout in the API's shape under /api")
    void stalledBody() throws Exception {
        start("1");
        RawHttp.Reply gateway = sendStalled(CHAT);
        assertThat(gateway.status()).as(gateway.body()).isEqualTo(400);
        assertOpenAiError(gateway, "invalid_request_error", "invalid_json").contains("did not arrive in time");

        RawHttp.Reply api = sendStalled(TIER_PATH);
        assertThat(api.status()).as(api.body()).isEqualTo(408);
        JsonNode error = Http.JSON.readTree(api.body());
        assertThat(error.path("error").asText()).isEqualTo("RequestTimeout");
        assertThat(error.path("message").asText()).contains("did not arrive in time");
    }

    @Test
    @DisplayName("an unknown path under /v1 is 404 unknown_url in OpenAI's shape, whatever its method")
    void unknownPath() throws Exception {
        start("30");
        for (String method : new String[] {"GET", "POST"}) {
            RawHttp.Reply reply = exchange(method + " /v1/nothing HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
                    + "\r\n{}");
            assertThat(reply.status()).as(reply.body()).isEqualTo(404);
            assertOpenAiError(reply, "invalid_request_error", "unknown_url").contains("/v1/nothing");
        }
    }

    @Test
    @DisplayName("a request Jetty refuses by itself on a gateway path (an ambiguous URI, a malformed header,"
            + " headers too large) keeps its status and is in OpenAI's shape; under /api, in the API's")
    void refusedByJetty() throws Exception {
        start("30");
        RawHttp.Reply ambiguous = exchange("GET /upstream/small-1b-q4_k_m/a%2fb HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(ambiguous.status()).as(ambiguous.body()).isEqualTo(400);
        assertOpenAiError(ambiguous, "invalid_request_error", null).contains("Ambiguous URI");

        RawHttp.Reply badHeader = exchange("POST " + CHAT + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n"
                + "Content-Length: 3\r\n\r\n{}");
        assertThat(badHeader.status()).as(badHeader.body()).isEqualTo(400);
        assertOpenAiError(badHeader, "invalid_request_error", null).isNotBlank();

        RawHttp.Reply tooLarge = exchange("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Padding: "
                + "a".repeat(9000) + "\r\n\r\n");
        assertThat(tooLarge.status()).as(tooLarge.body()).isEqualTo(431);
        assertOpenAiError(tooLarge, "invalid_request_error", null).isNotBlank();

        RawHttp.Reply api = exchange("GET /api/a%2fb HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(api.status()).as(api.body()).isEqualTo(400);
        assertThat(Http.JSON.readTree(api.body()).path("error").asText()).isEqualTo("InvalidRequest");
    }

    /** Asserts OpenAI's shape, {@code type} and {@code code}; answers the message for more assertions. */
    private static AbstractStringAssert<?> assertOpenAiError(RawHttp.Reply reply, String type,
            String code) throws IOException {
        assertThat(reply.headers().get("content-type")).startsWith("application/json");
        JsonNode error = Http.JSON.readTree(reply.body()).path("error");
        assertThat(error.isObject()).as(reply.body()).isTrue();
        assertThat(error.path("type").asText()).isEqualTo(type);
        assertThat(error.has("param")).isTrue();
        if (code == null) {
            assertThat(error.path("code").isNull()).as(reply.body()).isTrue();
        } else {
            assertThat(error.path("code").asText()).isEqualTo(code);
        }
        return assertThat(error.path("message").asText());
    }

    /** A chunk that declares 5 bytes and carries 4, then a line that is no chunk size. */
    private RawHttp.Reply sendBrokenChunks(String path) throws IOException {
        try (RawHttp client = RawHttp.connect(server.port())) {
            client.sendHead("POST", path, "Content-Type", "application/json", "Transfer-Encoding", "chunked");
            client.send("5\r\n{\"a\"zz\r\n");
            return client.read();
        }
    }

    /** A body of which one byte of 100 is sent, and no more. */
    private RawHttp.Reply sendStalled(String path) throws IOException {
        try (RawHttp client = RawHttp.connect(server.port())) {
            client.sendJsonHead("POST", path, 100);
            client.send("{");
            return client.read();
        }
    }

    private RawHttp.Reply exchange(String request) throws IOException {
        try (RawHttp client = RawHttp.connect(server.port())) {
            client.send(request);
            return client.read();
        }
    }

    private void start(String bodyTimeoutSeconds) throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.REQUEST_BODY_TIMEOUT, bodyTimeoutSeconds)
                .build();
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
    }
}
