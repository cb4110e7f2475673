package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.ApiServer;
import dev.magi.spi.Tier;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.magi.jaxrs.gateway.LiveGateway.chat;
import static dev.magi.jaxrs.gateway.LiveGateway.lines;
import static dev.magi.jaxrs.gateway.LiveGateway.nextLine;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The gateway over real HTTP, with the fake llama-server as a real process")
class GatewayOverHttpTest {
    private static final Duration PATIENCE = LiveGateway.PATIENCE;
    private static final String SMALL = "small-1b-q4_0";
    private static final String BIG = "big-70b-q4_0";
    private static final int CHUNK = 64 * 1024;
    /** Far more than MAGI reads of a refused body: a writer that gets this far was never cut off. */
    private static final long NEVER_READ_BYTES = 512L * 1024 * 1024;

    @TempDir
    Path dir;
    /** Two enabled models, fast and powerful, not started; a test may add settings before it starts it. */
    private LiveGateway.Builder setup;
    private LiveGateway gateway;
    private MagiEngine engine;
    private ApiServer api;

    @BeforeEach
    void twoModels() {
        setup = LiveGateway.in(dir).model(SMALL, Tier.FAST).model(BIG, Tier.POWERFUL);
    }

    @AfterEach
    void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start(FakeLlamaServer.Launcher fake) throws Exception {
        gateway = setup.fake(fake).start();
        engine = gateway.engine();
        api = gateway.api();
    }

    private int runs() throws Exception {
        return gateway.runs();
    }

    private static void assertRawTooLarge(RawHttp.Reply reply) throws IOException {
        assertThat(reply.status()).as(reply.body()).isEqualTo(413);
        JsonNode error = new ObjectMapper().readTree(reply.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("code").asText()).isEqualTo("payload_too_large");
        assertThat(error.path("message").asText()).isNotBlank();
    }

    /** OpenAI's error shape, here always with its {@code param} (null when no parameter is at fault). */
    private static void assertOpenAiError(ApiServer.Reply reply, int status, String type, String code) {
        LiveGateway.assertOpenAiError(reply, status, type, code);
        assertThat(reply.json().path("error").has("param")).isTrue();
    }

    @Nested
    @DisplayName("chat completions")
    class Chat {
        @Test
        @DisplayName("from a stopped model: started on demand, answered, with the X-MAGI headers")
        void onDemand() throws Exception {
            start(FakeLlamaServer.launcher());
            ApiServer.Reply reply = api.post("/v1/chat/completions", chat(SMALL, "hello", false));

            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.json().path("choices").get(0).path("message").path("content").asText())
                    .isEqualTo("fake answer from " + SMALL);
            assertThat(reply.header("X-MAGI-Model")).isEqualTo(SMALL);
            assertThat(reply.header("X-MAGI-Route")).isEqualTo("model");
            assertThat(reply.header("X-MAGI-Tier")).isEqualTo("fast");
            assertThat(Long.parseLong(reply.header("X-MAGI-Queue-Ms"))).isGreaterThanOrEqualTo(0);
            assertThat(Long.parseLong(reply.header("X-MAGI-Load-Ms"))).isGreaterThanOrEqualTo(0);
            assertThat(reply.header("X-MAGI-Score")).isNull();
            assertThat(reply.header("Cache-Control")).isEqualTo("no-cache");
            assertThat(reply.header("X-Accel-Buffering")).isEqualTo("no");
            assertThat(runs()).isEqualTo(1);
            assertThat(api.post("/v1/chat/completions", chat(SMALL, "again", false)).status()).isEqualTo(200);
            assertThat(runs()).as("the second request uses the running server").isEqualTo(1);
        }

        @Test
        @DisplayName("streamed: the first chunk reaches the client before the server has generated the rest")
        void streamedUnbuffered() throws Exception {
            Path gate = dir.resolve("stream-gate");
            start(FakeLlamaServer.launcher().streamGate(gate).stream(4, 0));
            HttpResponse<InputStream> response = gateway.openStream(chat(SMALL, "tell a story", true));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            assertThat(response.headers().firstValue("X-Accel-Buffering")).contains("no");
            assertThat(response.headers().firstValue("Cache-Control")).contains("no-cache");
            assertThat(response.headers().firstValue("X-MAGI-Model")).contains(SMALL);
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                String first = nextLine(reader);
                // The fake sends nothing more until the gate exists: this chunk was not held back.
                assertThat(first).startsWith("data: ").contains("tok0");
                assertThat(Files.exists(gate)).isFalse();
                Files.createFile(gate);
                List<String> rest = new ArrayList<>();
                for (String line = nextLine(reader); line != null; line = nextLine(reader)) {
                    rest.add(line);
                }
                assertThat(rest).hasSize(4);
                assertThat(rest.get(0)).contains("tok1");
                assertThat(rest.get(3)).isEqualTo("data: [DONE]");
            }
        }

        @Test
        @DisplayName("streamed with a pause longer than the connections' idle timeout: arrives whole, nothing cut")
        void slowStreamArrivesWhole() throws Exception {
            start(FakeLlamaServer.launcher().stream(2, 2_500));
            // A connection silent for a second is closed, as --http-idle-timeout 1 would have it: a pause of
            // llama-server between two tokens is not a silent client, on either side of the gateway.
            // Jetty checks a silent connection once per idle timeout and ignores the check while an async
            // answer waits, but fails a write that is under way at that instant: the server is started
            // first, and the pause is no multiple of the timeout, so that no write lands on a check.
            engine.supervisor().start(SMALL, true);
            api.idleTimeout(Duration.ofSeconds(1));

            HttpResponse<InputStream> response = gateway.openStream(chat(SMALL, "take your time", true));

            assertThat(response.statusCode()).isEqualTo(200);
            List<String> events = lines(response);
            assertThat(events).hasSize(3);
            assertThat(events.get(0)).startsWith("data: ").contains("tok0");
            assertThat(events.get(1)).startsWith("data: ").contains("tok1");
            assertThat(events.get(2)).isEqualTo("data: [DONE]");
            // The fake records how its answer ended just after it closes the stream, so the client can
            // read the end first: wait for the record, then say which one it is.
            Eventually.await(PATIENCE, "the fake to record how its stream ended", () -> gateway.fakeEvents()
                    .stream().anyMatch(line -> line.endsWith(" /v1/chat/completions") && !line.startsWith("request")));
            assertThat(gateway.fakeEvents()).contains("done /v1/chat/completions")
                    .doesNotContain("client-gone /v1/chat/completions");
        }

        @Test
        @DisplayName("a client that disconnects mid-stream closes the upstream request, and is recorded as 499")
        void disconnectClosesUpstream() throws Exception {
            start(FakeLlamaServer.launcher().stream(100_000, 20));
            HttpResponse<InputStream> response = gateway.openStream(chat(SMALL, "go on forever", true));
            InputStream body = response.body();
            BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            assertThat(nextLine(reader)).contains("tok0");
            body.close();

            Eventually.await(PATIENCE, "the fake to see its client go", () -> gateway.fakeEvents().stream()
                    .anyMatch(line -> line.equals("client-gone /v1/chat/completions")));
            assertThat(gateway.fakeEvents()).doesNotContain("done /v1/chat/completions");
            Eventually.await(PATIENCE, "the slot to be free", () -> engine.gateway().inFlight(SMALL) == 0);
            // Its first bytes said 200, but the client did not get the answer: the log must not count it a success.
            JsonNode logged = Eventually.awaitValue(PATIENCE, "the request in the log",
                    () -> api.get("/api/gateway/requests").json().path("requests"), r -> r.size() == 1).get(0);
            assertThat(logged.path("status").asInt()).as(logged.toString()).isEqualTo(499);
            assertThat(logged.path("model").asText()).isEqualTo(SMALL);
        }

        @Test
        @DisplayName("a tier name and auto resolve to a candidate, said by X-MAGI-Route and X-MAGI-Model")
        void tierAndAuto() throws Exception {
            start(FakeLlamaServer.launcher());
            ApiServer.Reply fast = api.post("/v1/chat/completions", chat("fast", "hi", false));
            assertThat(fast.status()).as(fast.raw().body()).isEqualTo(200);
            assertThat(fast.header("X-MAGI-Route")).isEqualTo("tier");
            assertThat(fast.header("X-MAGI-Model")).isEqualTo(SMALL);

            ApiServer.Reply easy = api.post("/v1/chat/completions", chat("auto", "What is Python?", false));
            assertThat(easy.header("X-MAGI-Route")).isEqualTo("auto");
            assertThat(easy.header("X-MAGI-Model")).isEqualTo(SMALL);
            assertThat(easy.header("X-MAGI-Tier")).isEqualTo("fast");
            assertThat(easy.header("X-MAGI-Score")).isEqualTo("0.6500");

            ApiServer.Reply hard = api.post("/v1/completions",
                    "{\"model\":\"auto\",\"prompt\":\"Analyze X and compare Y\"}");
            assertThat(hard.status()).as(hard.raw().body()).isEqualTo(200);
            assertThat(hard.header("X-MAGI-Model")).isEqualTo(BIG);
            assertThat(hard.header("X-MAGI-Tier")).isEqualTo("powerful");
            assertThat(hard.header("X-MAGI-Score")).isEqualTo("7.2500");
            assertThat(hard.json().path("choices").get(0).path("text").asText()).isEqualTo("fake text from " + BIG);
        }
    }

    @Nested
    @DisplayName("a flood")
    class Flood {
        @Test
        @DisplayName("600 requests at once for a cold model: one process, 64 answered once it is ready, the"
                + " others 429 queue_full with Retry-After at once")
        void flood() throws Exception {
            Path gate = dir.resolve("load-gate");
            start(FakeLlamaServer.launcher().loadGate(gate));
            List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                HttpRequest request = HttpRequest.newBuilder(api.uri("/v1/chat/completions")).timeout(PATIENCE)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(chat(SMALL, "hi " + i, false))).build();
                replies.add(api.client().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            // The fake cannot turn ready before the gate exists: every refusal comes before any answer.
            Eventually.await(PATIENCE, "536 refusals", () -> replies.stream().filter(CompletableFuture::isDone)
                    .count() == 536);
            List<HttpResponse<String>> refused = replies.stream().filter(CompletableFuture::isDone)
                    .map(CompletableFuture::join).toList();
            assertThat(refused).allSatisfy(reply -> {
                assertThat(reply.statusCode()).isEqualTo(429);
                assertThat(reply.headers().firstValue("Retry-After")).isPresent();
                assertThat(reply.body()).contains("\"code\":\"queue_full\"");
            });
            assertThat(engine.gateway().queued(SMALL)).isEqualTo(64);

            Files.createFile(gate);
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(replies.stream().map(CompletableFuture::join).filter(reply -> reply.statusCode() == 200))
                    .hasSize(64);
            assertThat(runs()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("refusals, in OpenAI's error shape, starting nothing")
    class Refusals {
        @Test
        @DisplayName("no model, an unknown model, malformed JSON, a tier on embeddings, a 40 MiB body")
        void badRequests() throws Exception {
            start(FakeLlamaServer.launcher());
            assertOpenAiError(api.post("/v1/chat/completions", "{\"messages\":[]}"), 400,
                    "invalid_request_error", "model_required");
            assertOpenAiError(api.post("/v1/chat/completions", chat("small-1b-q4", "hi", false)), 404,
                    "invalid_request_error", "model_not_found");
            assertThat(api.post("/v1/chat/completions", chat("small-1b-q4", "hi", false)).json().path("error")
                    .path("message").asText()).contains(SMALL);
            assertOpenAiError(api.post("/v1/chat/completions", "{\"model\": "), 400,
                    "invalid_request_error", "invalid_json");
            assertOpenAiError(api.post("/v1/embeddings", "{\"model\":\"fast\",\"input\":\"hi\"}"), 400,
                    "invalid_request_error", "virtual_model_not_supported");
            assertOpenAiError(api.post("/tokenize", "{\"model\":\"auto\",\"content\":\"hi\"}"), 400,
                    "invalid_request_error", "virtual_model_not_supported");
            byte[] huge = new byte[40 * 1024 * 1024];
            Arrays.fill(huge, (byte) ' ');
            ApiServer.Reply tooLarge = api.send("POST", "/v1/chat/completions",
                    HttpRequest.BodyPublishers.ofByteArray(huge), "Content-Type", "application/json");
            assertOpenAiError(tooLarge, 413, "invalid_request_error", "payload_too_large");
            assertOpenAiError(api.get("/v1/nothing-here"), 404, "invalid_request_error", "unknown_url");

            assertThat(runs()).isZero();
            assertThat(engine.supervisor().servers()).isEmpty();
        }

        @Test
        @DisplayName("a 40 MiB body written whole before a byte of the answer is read gets the whole 413, with a"
                + " Content-Length or chunked, and the connection carries the next request")
        void tooLargeWrittenWhole() throws Exception {
            start(FakeLlamaServer.launcher());
            long tooLarge = 40L * 1024 * 1024;
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/v1/chat/completions", "Content-Type", "application/json", "Content-Length",
                        String.valueOf(tooLarge));
                raw.sendFiller(tooLarge);
                assertRawTooLarge(raw.read());

                raw.sendHead("POST", "/v1/chat/completions", "Content-Type", "application/json",
                        "Transfer-Encoding", "chunked");
                for (long sent = 0; sent < tooLarge; sent += CHUNK) {
                    raw.sendChunk(CHUNK);
                }
                raw.sendLastChunk();
                assertRawTooLarge(raw.read());

                // The most that is read of a refused body.
                raw.sendHead("POST", "/v1/chat/completions", "Content-Type", "application/json", "Content-Length",
                        String.valueOf(RefusedBody.MAX_READ_BYTES));
                raw.sendFiller(RefusedBody.MAX_READ_BYTES);
                assertRawTooLarge(raw.read());

                raw.sendHead("GET", "/v1/models");
                assertThat(raw.read().status()).isEqualTo(200);
            }
            assertThat(runs()).isZero();
        }

        @Test
        @DisplayName("a body declared larger than MAGI reads of a refused one is 413 at once, and the connection"
                + " is closed")
        void declaredPastWhatIsRead() throws Exception {
            start(FakeLlamaServer.launcher());
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/v1/chat/completions", "Content-Type", "application/json", "Content-Length",
                        String.valueOf(10L * 1024 * 1024 * 1024));
                RawHttp.Reply reply = raw.read();
                assertRawTooLarge(reply);
                assertThat(reply.headers().get("connection")).isEqualToIgnoringCase("close");
                assertThat(raw.closedByServer()).isTrue();
            }
        }

        @Test
        @DisplayName("a chunked body broken part-way is a 400 invalid_json in OpenAI's shape, not MAGI's failure")
        void brokenChunks() throws Exception {
            start(FakeLlamaServer.launcher());
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/v1/chat/completions", "Content-Type", "application/json",
                        "Transfer-Encoding", "chunked");
                raw.send("5\r\n{\"mod\r\nzz-not-a-size\r\n");
                RawHttp.Reply reply = raw.read();
                assertThat(reply.status()).as(reply.body()).isEqualTo(400);
                assertThat(new ObjectMapper().readTree(reply.body()).path("error").path("code").asText())
                        .isEqualTo("invalid_json");
            }
            assertThat(runs()).isZero();
        }

        @Test
        @DisplayName("a too-large body whose client waits for 100 Continue is refused before it is sent")
        void tooLargeAfterExpectContinue() throws Exception {
            start(FakeLlamaServer.launcher());
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/v1/chat/completions", "Content-Type", "application/json", "Content-Length",
                        String.valueOf(40L * 1024 * 1024), "Expect", "100-continue");
                assertRawTooLarge(raw.read());
            }
        }

        @Test
        @DisplayName("a chunked body without end is read only so far: the connection of a client still writing is"
                + " closed")
        void endlessChunkedIsCutOff() throws Exception {
            start(FakeLlamaServer.launcher());
            long sent = 0;
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/v1/chat/completions", "Content-Type", "application/json",
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
        @DisplayName("with an API key, the gateway needs it as a bearer token: 401 invalid_api_key without")
        void apiKey() throws Exception {
            setup.set(ConfigKey.API_KEY, "sekret");
            start(FakeLlamaServer.launcher());
            assertOpenAiError(api.post("/v1/chat/completions", chat(SMALL, "hi", false)), 401,
                    "authentication_error", "invalid_api_key");
            assertOpenAiError(api.get("/v1/models", "Authorization", "Bearer wrong"), 401,
                    "authentication_error", "invalid_api_key");
            assertThat(api.get("/v1/models", "Authorization", "Bearer sekret").status()).isEqualTo(200);
            assertThat(runs()).isZero();
        }

        @Test
        @DisplayName("without the API key, a 40 MiB body written whole before a byte of the answer is read gets"
                + " the whole 401")
        void apiKeyRefusalOfALargeBody() throws Exception {
            setup.set(ConfigKey.API_KEY, "sekret");
            start(FakeLlamaServer.launcher());
            long size = 40L * 1024 * 1024;
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("POST", "/v1/chat/completions", "Content-Type", "application/json", "Content-Length",
                        String.valueOf(size));
                raw.sendFiller(size);
                RawHttp.Reply reply = raw.read();
                assertThat(reply.status()).as(reply.body()).isEqualTo(401);
                assertThat(reply.headers().get("www-authenticate")).isEqualTo("Bearer realm=\"magi\"");
                assertThat(new ObjectMapper().readTree(reply.body()).path("error").path("code").asText())
                        .isEqualTo("invalid_api_key");
            }
            assertThat(runs()).isZero();
        }

        @Test
        @DisplayName("a page of another origin may not drive it; a client without Origin may")
        void crossOrigin() throws Exception {
            start(FakeLlamaServer.launcher());
            ApiServer.Reply refused = api.send("POST", "/v1/chat/completions", chat(SMALL, "hi", false),
                    "Origin", "https://evil.example");
            assertOpenAiError(refused, 403, "permission_error", "forbidden_origin");
            assertThat(runs()).isZero();
        }
    }

    @Nested
    @DisplayName("other endpoints")
    class Others {
        @Test
        @DisplayName("with --gateway false, /v1 is not served and nothing starts")
        void off() throws Exception {
            setup.set(ConfigKey.GATEWAY, "false");
            start(FakeLlamaServer.launcher());
            assertThat(api.post("/v1/chat/completions", chat(SMALL, "hi", false)).status()).isIn(404, 405);
            assertThat(api.get("/v1/models").status()).isEqualTo(404);
            assertThat(runs()).isZero();
        }

        @Test
        @DisplayName("GET /v1/models lists the models and the virtual names, marked; GET /v1/models/{id} one")
        void models() throws Exception {
            start(FakeLlamaServer.launcher());
            JsonNode list = api.get("/v1/models").json();
            assertThat(list.path("object").asText()).isEqualTo("list");
            List<String> ids = new ArrayList<>();
            list.path("data").forEach(entry -> ids.add(entry.path("id").asText()));
            assertThat(ids).containsExactly(BIG, SMALL, "fast", "powerful", "auto");
            JsonNode small = list.path("data").get(1);
            assertThat(small.path("object").asText()).isEqualTo("model");
            assertThat(small.path("owned_by").asText()).isEqualTo("magi");
            assertThat(small.path("magi").path("virtual").asBoolean()).isFalse();
            assertThat(small.path("magi").path("tier").asText()).isEqualTo("fast");
            assertThat(small.path("magi").path("state").asText()).isEqualTo("stopped");
            assertThat(list.path("data").get(4).path("magi").path("virtual").asBoolean()).isTrue();
            assertThat(api.get("/v1/models/fast").json().path("magi").path("virtual").asBoolean()).isTrue();
            assertOpenAiError(api.get("/v1/models/nope"), 404, "invalid_request_error", "model_not_found");
        }

        @Test
        @DisplayName("llama-server's own endpoints at the root and embeddings pass through to the named model")
        void llamaEndpoints() throws Exception {
            start(FakeLlamaServer.launcher());
            ApiServer.Reply completion = api.post("/completion", "{\"model\":\"" + BIG + "\",\"prompt\":\"hi\"}");
            assertThat(completion.status()).as(completion.raw().body()).isEqualTo(200);
            assertThat(completion.json().path("path").asText()).isEqualTo("/completion");
            assertThat(completion.json().path("model").asText()).isEqualTo(BIG);
            ApiServer.Reply embeddings = api.post("/v1/embeddings", "{\"model\":\"" + SMALL + "\",\"input\":\"hi\"}");
            assertThat(embeddings.status()).isEqualTo(200);
            assertThat(embeddings.json().path("data").get(0).path("embedding").size()).isEqualTo(3);
            assertThat(embeddings.header("X-MAGI-Model")).isEqualTo(SMALL);
        }
    }
}
