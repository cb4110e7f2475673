package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.ApiServer;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.magi.jaxrs.gateway.LiveGateway.assertOpenAiError;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("/upstream/{id}/{path} over real HTTP, with the fake llama-server as a real process")
class UpstreamOverHttpTest {
    private static final String MODEL = "small-1b-q4_0";
    private static final int CHUNK = 64 * 1024;
    /** Far more than MAGI reads of a refused body: a writer that gets this far was never cut off. */
    private static final long NEVER_READ_BYTES = 512L * 1024 * 1024;

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

    private static void assertRawOpenAiError(RawHttp.Reply reply, int status, String code) throws IOException {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        JsonNode error = new ObjectMapper().readTree(reply.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank();
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
        @DisplayName("larger than 32 MiB, written whole before a byte of the answer is read, gets the whole 413,"
                + " with a Content-Length or chunked, and the connection carries the next request")
        void tooLargeWrittenWhole() throws Exception {
            start();
            long tooLarge = 33L * 1024 * 1024;
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/upstream/" + MODEL + "/completion", "Content-Type", "application/json",
                        "Content-Length", String.valueOf(tooLarge));
                raw.sendFiller(tooLarge);
                assertRawOpenAiError(raw.read(), 413, "payload_too_large");
                assertThat(runs()).as("refused before its server was asked for").isZero();

                raw.sendHead("POST", "/upstream/" + MODEL + "/completion", "Content-Type", "application/json",
                        "Transfer-Encoding", "chunked");
                for (long sent = 0; sent < tooLarge; sent += CHUNK) {
                    raw.sendChunk(CHUNK);
                }
                raw.sendLastChunk();
                assertRawOpenAiError(raw.read(), 413, "payload_too_large");

                raw.sendHead("GET", "/v1/models");
                assertThat(raw.read().status()).isEqualTo(200);
            }
        }

        @Test
        @DisplayName("of 33 MiB to a model that does not exist, written whole, gets the whole 404")
        void refusedBeforeItsBodyWrittenWhole() throws Exception {
            start();
            long size = 33L * 1024 * 1024;
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/upstream/no-such-model/completion", "Content-Type", "application/json",
                        "Content-Length", String.valueOf(size));
                raw.sendFiller(size);
                assertRawOpenAiError(raw.read(), 404, "model_not_found");
            }
        }

        @Test
        @DisplayName("of 20 MiB to a model whose server fails to start, written whole, gets the whole 503")
        void refusedAfterItsBodyStartedWrittenWhole() throws Exception {
            start();
            // The fake reads its knobs from its environment: this model's server exits while it loads.
            assertThat(api.put("/api/models/" + MODEL + "/runtime-settings",
                    "{\"env\": {\"FAKE_LLAMA_LOAD_EXIT\": \"3\"}}").status()).isEqualTo(200);
            long size = 20L * 1024 * 1024;
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/upstream/" + MODEL + "/completion", "Content-Type", "application/json",
                        "Content-Length", String.valueOf(size));
                raw.sendFiller(size);
                RawHttp.Reply reply = raw.read();
                assertThat(reply.status()).as(reply.body()).isEqualTo(503);
                assertThat(new ObjectMapper().readTree(reply.body()).path("error").path("code").asText())
                        .isEqualTo("model_load_failed");

                raw.sendHead("GET", "/v1/models");
                assertThat(raw.read().status()).isEqualTo(200);
            }
        }

        @Test
        @DisplayName("declared larger than MAGI reads of a refused body is 413 at once, and the connection is"
                + " closed")
        void declaredPastWhatIsRead() throws Exception {
            start();
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/upstream/" + MODEL + "/completion", "Content-Type", "application/json",
                        "Content-Length", String.valueOf(10L * 1024 * 1024 * 1024));
                RawHttp.Reply reply = raw.read();
                assertRawOpenAiError(reply, 413, "payload_too_large");
                assertThat(reply.headers().get("connection")).isEqualToIgnoringCase("close");
                assertThat(raw.closedByServer()).isTrue();
            }
            assertThat(runs()).isZero();
        }

        @Test
        @DisplayName("chunked without end is read only so far: the connection of a client still writing is closed")
        void endlessChunkedIsCutOff() throws Exception {
            start();
            long sent = 0;
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/upstream/" + MODEL + "/completion", "Content-Type", "application/json",
                        "Transfer-Encoding", "chunked");
                while (sent < NEVER_READ_BYTES) {
                    raw.sendChunk(CHUNK);
                    sent += CHUNK;
                }
            } catch (IOException e) {
                // What is expected: the server closed the connection under the writer.
            }
            assertThat(sent).as("bytes written before the server closed the connection")
                    .isLessThan(NEVER_READ_BYTES);
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
        @DisplayName("a path or query the HTTP client cannot send is refused as invalid_path, and holds no slot")
        void notAUri() throws Exception {
            startServer();
            // Jetty itself refuses such characters in the path; in the query it lets them through.
            for (String target : new String[] {"/completion?a={b}", "/completion?x=^", "/completion?q=%zz",
                "/props?a={b}"}) {
                String method = target.startsWith("/props") ? "GET" : "POST";
                String answer = rawExchange(method + " /upstream/" + MODEL + target + " HTTP/1.1\r\nHost: localhost"
                        + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
                assertThat(answer).as(target).startsWith("HTTP/1.1 400").contains("\"code\":\"invalid_path\"");
            }
            // The fake has one slot: a refused request that had kept it would make this one wait for good.
            ApiServer.Reply served = api.post("/upstream/" + MODEL + "/completion", "{}");
            assertThat(served.status()).as(served.raw().body()).isEqualTo(200);
            // The slot is given back once the answer ended, which may be just after the client read it.
            Eventually.await("the model's slot given back", () -> engine.gateway().inFlight(MODEL) == 0);
        }

        /** Sends the bytes as they are (no client library would send such a target) and reads the whole answer. */
        private String rawExchange(String request) throws Exception {
            URI uri = api.uri("/");
            try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                socket.setSoTimeout(30_000);
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
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

    @Nested
    @DisplayName("the request log and /metrics")
    class Observed {
        /** The last {@code n} records of the request log, once it holds at least as many. */
        private JsonNode lastRecords(int n) throws Exception {
            JsonNode requests = Eventually.awaitValue(LiveGateway.PATIENCE, n + " requests in the log",
                    () -> api.get("/api/gateway/requests").json().path("requests"), r -> r.size() >= n);
            assertThat(requests).as(requests.toString()).hasSize(n);
            return requests;
        }

        private double requestsCounted(String model, String status) throws Exception {
            return LiveGateway.sample(api.get("/metrics").raw().body(), "magi_gateway_requests_total",
                    "model=\"" + model + "\"", "route=\"upstream\"", "status=\"" + status + "\"");
        }

        @Test
        @DisplayName("an answered POST and GET are recorded with the model of the path, the route upstream,"
                + " their times and the POST's tokens, and counted; the answer says X-MAGI-Route upstream")
        void answered() throws Exception {
            start();
            ApiServer.Reply chat = api.post("/upstream/" + MODEL + "/v1/chat/completions",
                    LiveGateway.chat(MODEL));
            assertThat(chat.status()).as(chat.raw().body()).isEqualTo(200);
            assertThat(chat.header("X-MAGI-Route")).isEqualTo("upstream");
            Eventually.await("the POST's slot to be freed", () -> engine.gateway().inFlight(MODEL) == 0);
            ApiServer.Reply props = api.get("/upstream/" + MODEL + "/props");
            assertThat(props.status()).as(props.raw().body()).isEqualTo(200);
            assertThat(props.header("X-MAGI-Route")).isEqualTo("upstream");

            JsonNode requests = lastRecords(2);
            JsonNode posted = requests.get(0);
            assertThat(posted.path("asked").asText()).isEqualTo(MODEL);
            assertThat(posted.path("model").asText()).isEqualTo(MODEL);
            assertThat(posted.path("tier").asText()).isEqualTo(chat.header("X-MAGI-Tier"));
            assertThat(posted.path("route").asText()).isEqualTo("upstream");
            assertThat(posted.path("status").asInt()).isEqualTo(200);
            assertThat(posted.path("loadMs").asLong()).as("its server was started for it").isPositive();
            assertThat(posted.path("queueMs").asLong()).isGreaterThanOrEqualTo(posted.path("loadMs").asLong());
            assertThat(posted.path("totalMs").asLong()).isGreaterThanOrEqualTo(posted.path("queueMs").asLong());
            assertThat(posted.path("firstByteMs").isNumber()).as(posted.toString()).isTrue();
            assertThat(posted.path("promptTokens").asInt()).isEqualTo(3);
            assertThat(posted.path("completionTokens").asInt()).isEqualTo(4);
            JsonNode read = requests.get(1);
            assertThat(read.path("asked").asText()).isEqualTo(MODEL);
            assertThat(read.path("route").asText()).isEqualTo("upstream");
            assertThat(read.path("status").asInt()).isEqualTo(200);
            assertThat(read.path("promptTokens").isNull()).as("the page of /props has no usage").isTrue();

            assertThat(requestsCounted(MODEL, "200")).isEqualTo(2.0);
        }

        @Test
        @DisplayName("refused requests (unknown model, a path out of the root, too large, not running) are"
                + " recorded with their status and the route upstream, and counted")
        void refused() throws Exception {
            start();
            assertOpenAiError(api.get("/upstream/nope/props"), 404, "invalid_request_error", "model_not_found");
            assertOpenAiError(api.post("/upstream/nope/completion", "{}"), 404, "invalid_request_error",
                    "model_not_found");
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                // A query the HTTP client could not send (a path that climbs out is refused by Jetty itself).
                raw.sendHead("GET", "/upstream/" + MODEL + "/props?a={b}");
                assertRawOpenAiError(raw.read(), 400, "invalid_path");
            }
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/upstream/" + MODEL + "/completion", "Content-Type", "application/json",
                        "Content-Length", String.valueOf(10L * 1024 * 1024 * 1024));
                assertRawOpenAiError(raw.read(), 413, "payload_too_large");
            }
            assertOpenAiError(api.get("/upstream/" + MODEL + "/props"), 503, "server_error", "model_not_running");

            JsonNode requests = lastRecords(5);
            int[] statuses = {404, 404, 400, 413, 503};
            String[] asked = {"nope", "nope", MODEL, MODEL, MODEL};
            for (int i = 0; i < statuses.length; i++) {
                JsonNode refusal = requests.get(i);
                assertThat(refusal.path("status").asInt()).as(refusal.toString()).isEqualTo(statuses[i]);
                assertThat(refusal.path("asked").asText()).as(refusal.toString()).isEqualTo(asked[i]);
                assertThat(refusal.path("route").asText()).as(refusal.toString()).isEqualTo("upstream");
                assertThat(refusal.path("model").isNull()).as(refusal.toString()).isTrue();
            }
            assertThat(requestsCounted("none", "404")).isEqualTo(2.0);
            assertThat(requestsCounted("none", "413")).isEqualTo(1.0);
            assertThat(runs()).as("nothing was started for a refused request").isZero();
        }

        @Test
        @DisplayName("a client that leaves mid-stream is recorded and counted as 499, and its server's request"
                + " is closed")
        void clientGoneMidStream() throws Exception {
            setup.fake(FakeLlamaServer.launcher().stream(100_000, 20));
            start();
            HttpRequest request = HttpRequest.newBuilder(api.uri("/upstream/" + MODEL + "/v1/chat/completions"))
                    .timeout(LiveGateway.PATIENCE).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(LiveGateway.chat(MODEL, "go on forever", true)))
                    .build();
            HttpResponse<InputStream> response = api.client().send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            try (InputStream body = response.body()) {
                BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                assertThat(LiveGateway.nextLine(reader)).contains("tok0");
            }

            Eventually.await(LiveGateway.PATIENCE, "the fake to see its client go", () -> gateway.fakeEvents()
                    .contains("client-gone /v1/chat/completions"));
            JsonNode gone = lastRecords(1).get(0);
            assertThat(gone.path("status").asInt()).as(gone.toString()).isEqualTo(499);
            assertThat(gone.path("route").asText()).isEqualTo("upstream");
            assertThat(gone.path("model").asText()).isEqualTo(MODEL);
            assertThat(gone.path("firstByteMs").isNumber()).as(gone.toString()).isTrue();
            assertThat(requestsCounted(MODEL, "499")).isEqualTo(1.0);
            Eventually.await(LiveGateway.PATIENCE, "the slot to be free", () -> engine.gateway().inFlight(MODEL) == 0);
        }
    }
}
