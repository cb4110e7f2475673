package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.ApiServer;
import dev.magi.testkit.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.magi.jaxrs.gateway.LiveGateway.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("/upstream/{id}/{path} over real HTTP, with the fake llama-server as a real process")
class UpstreamOverHttpTest {
    private static final String MODEL = "small-1b-q4_0";

    @TempDir
    Path dir;
    /** One model, not started; a test may add settings before it calls {@link #start()}. */
    private LiveGateway.Builder setup;
    private LiveGateway gateway;
    private MagiEngine engine;
    private ApiServer api;

    @BeforeEach
    void oneModel() {
        setup = LiveGateway.in(dir).model(MODEL);
    }

    @AfterEach
    void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start() throws Exception {
        gateway = setup.start();
        engine = gateway.engine();
        api = gateway.api();
    }

    private int runs() throws Exception {
        return gateway.runs();
    }

    @Nested
    @DisplayName("a request body")
    class Bodies {
        @Test
        @DisplayName("larger than 32 MiB is 413 payload_too_large in OpenAI's shape, with a Content-Length or"
                + " chunked, and nothing reaches the server")
        void tooLarge() throws Exception {
            start();
            byte[] huge = new byte[33 * 1024 * 1024];
            Arrays.fill(huge, (byte) ' ');
            ApiServer.Reply withLength = api.send("POST", "/upstream/" + MODEL + "/completion",
                    HttpRequest.BodyPublishers.ofByteArray(huge), "Content-Type", "application/json");
            assertOpenAiError(withLength, 413, "invalid_request_error", "payload_too_large");
            assertThat(runs()).as("refused before its server was asked for").isZero();

            ApiServer.Reply chunked = api.send("POST", "/upstream/" + MODEL + "/completion",
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)),
                    "Content-Type", "application/json");
            assertOpenAiError(chunked, 413, "invalid_request_error", "payload_too_large");
            Eventually.await("the refused request's slot to be freed", () -> engine.gateway().inFlight(MODEL) == 0);
        }

        @Test
        @DisplayName("of a few MiB, chunked, is streamed to the server whole")
        void streamedWhole() throws Exception {
            start();
            byte[] body = new byte[4 * 1024 * 1024];
            Arrays.fill(body, (byte) 'x');
            ApiServer.Reply reply = api.send("POST", "/upstream/" + MODEL + "/some/endpoint",
                    HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)),
                    "Content-Type", "application/octet-stream");
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.json().path("bodyBytes").asInt()).isEqualTo(body.length);
        }
    }

    @Nested
    @DisplayName("a stopped model")
    class Stopped {
        @Test
        @DisplayName("a GET is 503 model_not_running and starts nothing")
        void getDoesNotStart() throws Exception {
            start();
            ApiServer.Reply reply = api.get("/upstream/" + MODEL + "/props");
            assertOpenAiError(reply, 503, "server_error", "model_not_running");
            assertThat(reply.json().path("error").path("message").asText()).contains("stopped");
            assertThat(runs()).isZero();
        }

        @Test
        @DisplayName("a POST starts its server and is passed on: method, path, query, headers and body")
        void postStarts() throws Exception {
            start();
            ApiServer.Reply reply = api.send("POST", "/upstream/" + MODEL + "/some/endpoint?a=1&b=x%20y",
                    "{\"hello\":\"world\"}", "X-Echo", "kept");
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            JsonNode echo = reply.json();
            assertThat(echo.path("method").asText()).isEqualTo("POST");
            assertThat(echo.path("rawPath").asText()).isEqualTo("/some/endpoint");
            assertThat(echo.path("rawQuery").asText()).isEqualTo("a=1&b=x%20y");
            assertThat(echo.path("echo").asText()).isEqualTo("kept");
            assertThat(echo.path("bodyBytes").asInt()).isEqualTo("{\"hello\":\"world\"}".length());
            assertThat(echo.path("body").asText()).isEqualTo("__hello___world__");
            assertThat(reply.header("X-MAGI-Model")).isEqualTo(MODEL);
            assertThat(runs()).isEqualTo(1);
            // The slot is freed once the answer is written out, which may end just after the client has read it.
            Eventually.await("the request's slot to be freed", () -> engine.gateway().inFlight(MODEL) == 0);
        }

        @Test
        @DisplayName("an unknown id is 404 model_not_found, for a GET and a POST")
        void unknown() throws Exception {
            start();
            assertOpenAiError(api.get("/upstream/nope/props"), 404, "invalid_request_error", "model_not_found");
            assertOpenAiError(api.post("/upstream/nope/completion", "{}"), 404, "invalid_request_error",
                    "model_not_found");
            assertThat(runs()).isZero();
        }
    }

    @Nested
    @DisplayName("a ready model")
    class Ready {
        private void startServer() throws Exception {
            start();
            engine.supervisor().start(MODEL, true);
        }

        @Test
        @DisplayName("GET /props, /slots and the web page reach its server, without a slot")
        void pages() throws Exception {
            startServer();
            ApiServer.Reply props = api.get("/upstream/" + MODEL + "/props");
            assertThat(props.status()).as(props.raw().body()).isEqualTo(200);
            assertThat(props.json().path("total_slots").asInt()).isEqualTo(1);
            ApiServer.Reply slots = api.get("/upstream/" + MODEL + "/slots?fail_on_no_slot=1");
            assertThat(slots.json().path("rawPath").asText()).isEqualTo("/slots");
            assertThat(slots.json().path("rawQuery").asText()).isEqualTo("fail_on_no_slot=1");
            assertThat(slots.json().path("method").asText()).isEqualTo("GET");
            ApiServer.Reply page = api.get("/upstream/" + MODEL + "/");
            assertThat(page.json().path("rawPath").asText()).isEqualTo("/");
            ApiServer.Reply bare = api.get("/upstream/" + MODEL);
            assertThat(bare.json().path("rawPath").asText()).isEqualTo("/");
            assertThat(runs()).isEqualTo(1);
        }

        @Test
        @DisplayName("a path that climbs out of the server's root is refused, encoded or not")
        void traversal() throws Exception {
            startServer();
            for (String path : new String[] {"/%2e%2e/etc/passwd", "/a/%2E%2E/%2e%2e/x", "/a%2f..%2fb", "/a%5c..%5cb"}) {
                ApiServer.Reply reply = api.get("/upstream/" + MODEL + path);
                assertThat(reply.status()).as(path + ": " + reply.raw().body()).isEqualTo(400);
                assertThat(reply.raw().body()).as(path).doesNotContain("fake.echo");
            }
        }

        @Test
        @DisplayName("with an API key, /upstream needs it; MAGI's key is not passed on to the server")
        void apiKey() throws Exception {
            setup.set(ConfigKey.API_KEY, "sekret");
            startServer();
            assertOpenAiError(api.get("/upstream/" + MODEL + "/slots"), 401, "authentication_error",
                    "invalid_api_key");
            ApiServer.Reply served = api.get("/upstream/" + MODEL + "/slots", "Authorization", "Bearer sekret");
            assertThat(served.status()).as(served.raw().body()).isEqualTo(200);
            assertThat(served.json().path("authorized").asBoolean()).isFalse();
        }

        @Test
        @DisplayName("a page of another origin may not use it")
        void crossOrigin() throws Exception {
            startServer();
            assertOpenAiError(api.send("POST", "/upstream/" + MODEL + "/completion", "{}", "Origin",
                    "https://evil.example"), 403, "permission_error", "forbidden_origin");
        }

        @Test
        @DisplayName("PUT and DELETE pass their method on")
        void methods() throws Exception {
            startServer();
            ApiServer.Reply put = api.send("PUT", "/upstream/" + MODEL + "/thing",
                    HttpRequest.BodyPublishers.ofString("abc"));
            assertThat(put.json().path("method").asText()).isEqualTo("PUT");
            assertThat(put.json().path("bodyBytes").asInt()).isEqualTo(3);
            assertThat(api.delete("/upstream/" + MODEL + "/thing").json().path("method").asText())
                    .isEqualTo("DELETE");
        }
    }
}
