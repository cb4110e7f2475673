package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.security.BodySizeLimitFilter;
import dev.magi.testkit.CapturedStderr;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Clients that send their request slowly, against the standalone server over real HTTP")
class SlowClientsTest {
    private static final String MODEL = "small-1b-q4_k_m";
    private static final String TIER_PATH = "/api/models/" + MODEL + "/tier";
    /** A valid body, padded with white space so that sending it slowly takes a while. */
    private static final String BODY = "{\"tier\": \"powerful\"" + " ".repeat(60) + "}";
    private static final int SLOW_CLIENTS = 200;
    private static final int CHUNK = 64 * 1024;
    /** Far more than is read of a refused body: a writer that gets this far was never cut off. */
    private static final long NEVER_READ_BYTES = 512L * 1024 * 1024;
    /** Over the gateway's 32 MiB, and under the 64 MiB read of a refused body: the rest is read and thrown away. */
    private static final long GATEWAY_TOO_LARGE = 40L * 1024 * 1024;
    /** 30 s of trickling, ten times the body timeout of the test that trickles. */
    private static final int TRICKLE_ROUNDS = 100;

    @TempDir
    Path dir;
    private MagiServer server;
    private Http http;

    private void start(String bodyTimeoutSeconds) throws Exception {
        start(bodyTimeoutSeconds, "30");
    }

    private void start(String bodyTimeoutSeconds, String idleTimeoutSeconds) throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.REQUEST_BODY_TIMEOUT, bodyTimeoutSeconds)
                .set(ConfigKey.HTTP_IDLE_TIMEOUT, idleTimeoutSeconds)
                .build();
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
        http = new Http(server.uri());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("a body sent 4 bytes at a time, slower than the body timeout, is answered 408 RequestTimeout"
            + " with one log line and no stack trace, and changes nothing")
    void slowBodyIsRequestTimeout() throws Exception {
        start("1");
        String tierBefore = http.get("/api/models/" + MODEL).json().path("effectiveTier").asText();
        RawHttp.Reply reply;
        try (CapturedStderr log = new CapturedStderr();
             RawHttp connection = RawHttp.connect(server.port())) {
            connection.sendJsonHead("PUT", TIER_PATH, BODY.length());
            // 4 bytes every 100 ms: the whole body would take about 2 s, twice the body timeout.
            try {
                for (int sent = 0; sent < BODY.length() && !connection.answered(); sent += 4) {
                    connection.send(BODY.substring(sent, Math.min(sent + 4, BODY.length())));
                    pace(100);
                }
            } catch (IOException closed) {
                // The server answered and closed the connection between two of the client's writes.
            }
            reply = connection.read();
            assertThat(reply.status()).as(reply.body()).isEqualTo(408);
            JsonNode error = Http.JSON.readTree(reply.body());
            assertThat(error.path("error").asText()).isEqualTo("RequestTimeout");
            assertThat(error.path("message").asText()).contains("did not arrive");
            assertThat(error.path("details").isObject()).isTrue();

            Eventually.await("the timeout to be logged", () -> log.text().contains("RequestTimeout"));
            String text = log.text();
            assertThat(text.lines().filter(line -> line.contains("RequestTimeout"))).hasSize(1);
            assertThat(text).doesNotContain("\tat ").doesNotContain("Exception");
        }
        assertThat(http.get("/api/models/" + MODEL).json().path("effectiveTier").asText()).isEqualTo(tierBefore);
    }

    @Test
    @DisplayName("while 200 clients trickle their bodies, /health and the registry still answer")
    void slowClientsDoNotStarveTheServer() throws Exception {
        // Long enough that every slow client is still sending while the others are asked.
        start("120");
        assertAnsweredWhileClientsTrickle(BODY.length(), round -> BODY.substring(round * 4, round * 4 + 4));
    }

    @Test
    @DisplayName("while 200 clients trickle bodies over 1 MiB, which are read to their end before the 413,"
            + " /health and the registry still answer")
    void slowTooLargeBodiesDoNotStarveTheServer() throws Exception {
        start("120");
        assertAnsweredWhileClientsTrickle(2 * 1024 * 1024, round -> "    ");
    }

    /**
     * Holds {@value #SLOW_CLIENTS} clients sending bodies of {@code length} to the API, 4 bytes at a time
     * ({@code piece} of each round), and checks that others are served meanwhile.
     */
    private void assertAnsweredWhileClientsTrickle(long length, IntFunction<String> piece) throws Exception {
        List<RawHttp> slow = new ArrayList<>();
        AtomicBoolean trickling = new AtomicBoolean(true);
        ExecutorService trickle = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                RawHttp connection = RawHttp.connect(server.port());
                slow.add(connection);
                connection.sendJsonHead("PUT", TIER_PATH, length);
                connection.send(piece.apply(0));
            }
            Future<?> trickled = trickle.submit(() -> {
                // 4 more bytes to each client in turn, never the whole body: they keep sending, slowly.
                for (int round = 1; trickling.get() && (round + 1) * 4 < length; round++) {
                    for (RawHttp connection : slow) {
                        connection.send(piece.apply(round));
                    }
                    pace(500);
                }
                return null;
            });
            // A connection is counted once accepted, its request once its head is parsed: wait for both.
            Eventually.await(Duration.ofSeconds(60), () -> "the server to hold all " + SLOW_CLIENTS + " slow clients'"
                    + " requests (" + server.connections() + " connections, " + server.requestsInFlight()
                    + " requests so far)", () -> server.connections() >= SLOW_CLIENTS
                    && server.requestsInFlight() >= SLOW_CLIENTS);

            Http.Reply health = http.get("/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().path("status").asText()).isEqualTo("ok");
            Http.Reply registry = http.get("/api/models/registry");
            assertThat(registry.status()).isEqualTo(200);
            assertThat(registry.json().path("models").has(MODEL)).isTrue();

            // They were all still there, unanswered, while the others were answered.
            assertThat(server.requestsInFlight()).isGreaterThanOrEqualTo(SLOW_CLIENTS);
            for (RawHttp connection : slow) {
                assertThat(connection.answered()).isFalse();
            }
            trickling.set(false);
            trickled.get(60, TimeUnit.SECONDS);
        } finally {
            trickling.set(false);
            trickle.shutdownNow();
            for (RawHttp connection : slow) {
                connection.close();
            }
        }
    }

    @Test
    @DisplayName("while 200 clients are part-way through their headers, /health still answers")
    void slowHeadersDoNotStarveTheServer() throws Exception {
        start("30");
        List<RawHttp> slow = new ArrayList<>();
        try {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                RawHttp connection = RawHttp.connect(server.port());
                slow.add(connection);
                connection.send("PUT " + TIER_PATH + " HTTP/1.1\r\nHost: loc");
            }
            Eventually.await(Duration.ofSeconds(60), () -> "the server to hold all " + SLOW_CLIENTS + " slow clients'"
                    + " connections (" + server.connections() + " so far)", () -> server.connections() >= SLOW_CLIENTS);
            assertThat(http.get("/health").status()).isEqualTo(200);
            assertThat(http.get("/api/models/registry").status()).isEqualTo(200);
        } finally {
            for (RawHttp connection : slow) {
                connection.close();
            }
        }
    }

    @Test
    @DisplayName("a client silent part-way through its headers is disconnected after the HTTP idle timeout")
    void silentHeadersAreDisconnected() throws Exception {
        start("30", "1");
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("PUT " + TIER_PATH + " HTTP/1.1\r\nHost: loc");
            // The end of the stream, with or without a 408 before it.
            assertThat(connection.readToEnd()).satisfiesAnyOf(
                    rest -> assertThat(rest).isEmpty(), rest -> assertThat(rest).startsWith("HTTP/1.1 408"));
        }
    }

    @Test
    @DisplayName("a body whose client goes silent for the HTTP idle timeout is answered 408 before the body timeout")
    void silentBodyIsRequestTimeoutAfterTheIdleTimeout() throws Exception {
        start("20", "1");
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.sendJsonHead("PUT", TIER_PATH, BODY.length());
            connection.send(BODY.substring(0, 4));
            RawHttp.Reply reply = connection.read();
            assertThat(reply.status()).as(reply.body()).isEqualTo(408);
            JsonNode error = Http.JSON.readTree(reply.body());
            assertThat(error.path("error").asText()).isEqualTo("RequestTimeout");
            // The idle timeout's answer, not the body timeout's ("took longer than 20.0 s").
            assertThat(error.path("message").asText()).contains("silent for the idle timeout");
        }
    }

    @Test
    @DisplayName("a kept-alive connection idle between requests for longer than the body timeout is still served")
    void keepAliveWithIdleGaps() throws Exception {
        start("0.5");
        try (RawHttp connection = RawHttp.connect(server.port())) {
            for (int i = 0; i < 3; i++) {
                connection.sendHead("GET", "/health");
                RawHttp.Reply health = connection.read();
                assertThat(health.status()).as("GET /health #" + i + ": " + health.body()).isEqualTo(200);
                // An idle client between two requests, longer than the body timeout.
                pace(1_000);
                connection.sendHead("GET", "/api/models/registry");
                RawHttp.Reply registry = connection.read();
                assertThat(registry.status()).as("GET registry #" + i + ": " + registry.body()).isEqualTo(200);
                assertThat(registry.headers().get("connection")).isNotEqualTo("close");
                pace(1_000);
                connection.sendJsonHead("PUT", TIER_PATH, BODY.length());
                connection.send(BODY);
                RawHttp.Reply tier = connection.read();
                assertThat(tier.status()).as("PUT tier #" + i + ": " + tier.body()).isEqualTo(200);
                pace(1_000);
            }
        }
    }

    @Test
    @DisplayName("bodies gathered before the API runs keep their answers: 413 over 1 MiB, chunked or not,"
            + " and 200 after Expect: 100-continue")
    void bodiesKeepTheirAnswers() throws Exception {
        start("30");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] large = ("{\"tier\": \"powerful\"" + " ".repeat(1024 * 1024) + "}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> withLength = client.send(tierRequest()
                .PUT(HttpRequest.BodyPublishers.ofByteArray(large)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withLength.statusCode()).as(withLength.body()).isEqualTo(413);
        assertThat(Http.JSON.readTree(withLength.body()).path("error").asText()).isEqualTo("PayloadTooLarge");

        // Without a length the client sends it chunked.
        HttpResponse<String> chunked = client.send(tierRequest()
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(large))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
        assertThat(Http.JSON.readTree(chunked.body()).path("error").asText()).isEqualTo("PayloadTooLarge");

        HttpResponse<String> continued = client.send(tierRequest().expectContinue(true)
                .PUT(HttpRequest.BodyPublishers.ofString(BODY)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(continued.statusCode()).as(continued.body()).isEqualTo(200);
        assertThat(Http.JSON.readTree(continued.body()).path("tier").asText()).isEqualTo("powerful");
    }

    @Test
    @DisplayName("a body over 1 MiB written whole before a byte of the answer is read gets the whole 413, with a"
            + " Content-Length or chunked, and the connection carries the next request")
    void tooLargeWrittenWhole() throws Exception {
        start("30");
        // The most that is read of a refused body.
        long tooLarge = BodySizeLimitFilter.MAX_BODY_BYTES + BodySizeLimitFilter.MAX_DISCARDED_BYTES;
        try (RawHttp raw = RawHttp.connect(server.port())) {
            raw.sendHead("PUT", TIER_PATH, "Content-Type", "application/json", "Content-Length",
                    String.valueOf(tooLarge));
            raw.sendFiller(tooLarge);
            assertTooLarge(raw.read());

            raw.sendHead("PUT", TIER_PATH, "Content-Type", "application/json", "Transfer-Encoding", "chunked");
            for (long sent = 0; sent < tooLarge; sent += CHUNK) {
                raw.sendChunk(CHUNK);
            }
            raw.sendLastChunk();
            assertTooLarge(raw.read());

            raw.sendHead("GET", "/health");
            assertThat(raw.read().status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("a body declared larger than is read of a refused one is 413 at once, and the connection is closed")
    void declaredPastWhatIsRead() throws Exception {
        start("30");
        try (RawHttp raw = RawHttp.connect(server.port())) {
            raw.sendHead("PUT", TIER_PATH, "Content-Type", "application/json", "Content-Length",
                    String.valueOf(10L * 1024 * 1024 * 1024));
            RawHttp.Reply reply = raw.read();
            assertTooLarge(reply);
            assertThat(reply.headers().get("connection")).isEqualToIgnoringCase("close");
            assertThat(raw.closedByServer()).isTrue();
        }
    }

    @Test
    @DisplayName("a chunked body without end is read only so far: the connection of a client still writing is"
            + " closed")
    void endlessChunkedIsCutOff() throws Exception {
        start("30");
        long sent = 0;
        try (RawHttp raw = RawHttp.connect(server.port())) {
            raw.sendHead("PUT", TIER_PATH, "Content-Type", "application/json", "Transfer-Encoding", "chunked");
            while (sent < NEVER_READ_BYTES) {
                raw.sendChunk(CHUNK);
                sent += CHUNK;
            }
        } catch (IOException e) {
            // What is expected: the server closed the connection under the writer.
        }
        assertThat(sent).as("bytes written before the server closed the connection").isLessThan(NEVER_READ_BYTES);
    }

    @Test
    @DisplayName("a gateway body refused 413 and trickled under the idle timeout is given up at the body timeout:"
            + " the 413 says Connection: close and the connection is closed")
    void trickledRefusedBodyIsCutOffAtTheBodyTimeout() throws Exception {
        start("3", "2");
        try (CapturedStderr log = new CapturedStderr();
             RawHttp connection = RawHttp.connect(server.port())) {
            connection.sendJsonHead("POST", "/v1/chat/completions", GATEWAY_TOO_LARGE);
            // 4 bytes every 300 ms: never silent for the idle timeout, and far from the body's end.
            try {
                for (int round = 0; round < TRICKLE_ROUNDS && !connection.answered(); round++) {
                    connection.send("    ");
                    pace(300);
                }
            } catch (IOException closed) {
                // The server answered and closed the connection between two of the client's writes.
            }
            assertThat(connection.answered()).as("answered while still trickling, after " + TRICKLE_ROUNDS
                    + " rounds of 300 ms").isTrue();
            RawHttp.Reply reply = connection.read();
            assertThat(reply.status()).as(reply.body()).isEqualTo(413);
            assertThat(Http.JSON.readTree(reply.body()).path("error").path("code").asText())
                    .isEqualTo("payload_too_large");
            assertThat(reply.headers().get("connection")).isEqualToIgnoringCase("close");
            assertThat(connection.closedByServer()).isTrue();
            // Given up at the body timeout, not for a silence.
            Eventually.await("the deadline to be logged", () -> log.text().contains("did not arrive within 3.0 s"));
        }
    }

    private static void assertTooLarge(RawHttp.Reply reply) throws IOException {
        assertThat(reply.status()).as(reply.body()).isEqualTo(413);
        JsonNode error = Http.JSON.readTree(reply.body());
        assertThat(error.path("error").asText()).isEqualTo("PayloadTooLarge");
        assertThat(error.path("details").path("limitBytes").asLong()).isEqualTo(1024 * 1024);
    }

    private HttpRequest.Builder tierRequest() {
        return HttpRequest.newBuilder(URI.create(server.uri() + TIER_PATH.substring(1)))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60));
    }

    /** Paces a client as a slow or idle one would be: the gap is the behaviour under test, not a wait. */
    private static void pace(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
