package dev.magi.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.jaxrs.security.BodySizeLimitFilter;
import dev.magi.testkit.CapturedStderr;
import dev.magi.testkit.RawHttp;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.magi.jaxrs.ApiFixture.FAST;
import static dev.magi.jaxrs.ApiFixture.assertError;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Errors over HTTP")
class ErrorResponsesTest {
    @TempDir
    Path dir;
    ApiFixture magi;
    ApiServer api;

    @BeforeEach
    void start() throws Exception {
        magi = ApiFixture.withExtras(dir, config -> config.register(FailingResource.class));
        api = magi.api;
    }

    @AfterEach
    void stop() throws Exception {
        magi.close();
    }

    /** A resource only the tests have, failing as a bug would. */
    @jakarta.ws.rs.Path("api/test-only") // same simple name as java.nio.file.Path, imported
    @Produces(MediaType.APPLICATION_JSON)
    public static class FailingResource {
        @GET
        @jakarta.ws.rs.Path("bug") // same simple name as java.nio.file.Path, imported
        public String bug() {
            throw new IllegalStateException("internal detail that must stay in the log");
        }
    }

    @Nested
    @DisplayName("a request body that cannot be used")
    class InvalidRequest {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"POST /api/models/profiles", "PUT /api/models/" + FAST + "/enabled"})
        @DisplayName("a body shorter than its Content-Length is 400 InvalidRequest and one log line")
        void cutShort(String request) throws Exception {
            String response;
            String log;
            try (CapturedStderr stderr = new CapturedStderr();
                 Socket socket = new Socket(api.uri("").getHost(), api.uri("").getPort())) {
                socket.setSoTimeout(30_000);
                OutputStream out = socket.getOutputStream();
                out.write((request + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\nConnection: close\r\n\r\n{\"name\": \"cut").getBytes(
                        StandardCharsets.US_ASCII));
                out.flush();
                // The client stops sending, as one that gave up would.
                socket.shutdownOutput();
                response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                // The server logs after it answers; give it a moment to finish its line.
                Thread.sleep(200);
                log = stderr.text();
            }

            assertThat(response).startsWith("HTTP/1.1 400 ").contains("\"error\":\"InvalidRequest\"")
                    .contains("shorter than");
            assertThat(log.lines().filter(line -> !line.isBlank()).count()).as(log).isEqualTo(1);
            assertThat(log).contains("InvalidRequest").doesNotContain("EofException").doesNotContain("\tat ");
            assertThat(api.get("/api/models/profiles").json().size()).isZero();
        }

        static Stream<Arguments> bodies() {
            String enabled = "/api/models/" + FAST + "/enabled";
            return Stream.of(
                    Arguments.of("malformed JSON", enabled, "{\"enabled\": tru", null),
                    Arguments.of("a wrong type", enabled, "{\"enabled\": \"yes\"}", "enabled"),
                    Arguments.of("a missing field", enabled, "{}", "enabled"),
                    Arguments.of("an empty body", enabled, "", null),
                    Arguments.of("a JSON array instead of an object", enabled, "[true]", null),
                    Arguments.of("a JSON string instead of an object", enabled, "\"true\"", null),
                    Arguments.of("an unclosed object", enabled, "{\"enabled\": true", null),
                    Arguments.of("NaN", enabled, "{\"enabled\": NaN}", null),
                    Arguments.of("a number of 2,000 digits", enabled, "{\"enabled\": " + "1".repeat(2_000) + "}", null),
                    Arguments.of("trailing garbage", enabled, "{\"enabled\": true} xyz", null),
                    Arguments.of("a second document", enabled, "{\"enabled\": true} {}", null),
                    Arguments.of("a duplicate key", enabled, "{\"enabled\": true, \"enabled\": false}", null),
                    Arguments.of("an unknown runtime setting", "/api/models/" + FAST + "/runtime-settings",
                            "{\"flashAttention\": true}", "flashAttention"),
                    Arguments.of("nesting deeper than any command needs", enabled,
                            "[".repeat(5_000) + "]".repeat(5_000), null));
        }

        @ParameterizedTest(name = "{0} is 400 InvalidRequest")
        @MethodSource("bodies")
        void invalid(String label, String path, String body, String field) throws Exception {
            JsonNode error = assertError(api.put(path, body), 400, "InvalidRequest");

            if (field != null) {
                assertThat(error.get("details").get("field").asText()).isEqualTo(field);
            }
            assertThat(api.get("/api/models/" + FAST).json().get("enabled").asBoolean()).isFalse();
        }

        @Test
        @DisplayName("no body at all is 400 InvalidRequest")
        void noBody() throws Exception {
            JsonNode error = assertError(api.send("PUT", "/api/models/" + FAST + "/tier", (String) null),
                    400, "InvalidRequest");

            assertThat(error.get("message").asText()).contains("body");
        }

        @Test
        @DisplayName("a body that is not JSON is 415 in the same shape")
        void notJson() throws Exception {
            assertError(api.send("PUT", "/api/models/" + FAST + "/enabled",
                    HttpRequest.BodyPublishers.ofString("enabled=true"),
                    "Content-Type", "application/x-www-form-urlencoded"), 415, "UnsupportedMediaType");
        }
    }

    @Nested
    @DisplayName("an unknown path")
    class UnknownPath {
        @ParameterizedTest(name = "{0} is 404 NotFound")
        @ValueSource(strings = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
        void underApi(String method) throws Exception {
            JsonNode error = assertError(api.send(method, "/api/no/such/thing", "{}"), 404, "NotFound");

            assertThat(error.get("details").get("path").asText()).isEqualTo("/api/no/such/thing");
        }

        @Test
        @DisplayName("outside /api is 404 NotFound too")
        void outsideApi() throws Exception {
            assertError(api.get("/no/such/thing"), 404, "NotFound");
            assertError(api.get("/api/models/registry/extra"), 404, "NotFound");
        }
    }

    @Nested
    @DisplayName("a method a known path does not take")
    class WrongMethod {
        @Test
        @DisplayName("is 405 MethodNotAllowed with the allowed methods")
        void methodNotAllowed() throws Exception {
            ApiServer.Reply reply = api.send("DELETE", "/api/models/registry", (String) null);

            JsonNode error = assertError(reply, 405, "MethodNotAllowed");
            assertThat(error.get("message").asText()).contains("DELETE");
            assertThat(reply.header("Allow")).contains("GET");
            assertError(api.put("/api/models/rescan", "{}"), 405, "MethodNotAllowed");
            assertError(api.send("POST", "/api/models/" + FAST + "/tier", "{}"), 405, "MethodNotAllowed");
            assertError(api.send("PATCH", "/api/models/profiles", "{}"), 405, "MethodNotAllowed");
        }

        @Test
        @DisplayName("OPTIONS lists the allowed methods as JSON, like every other answer")
        void options() throws Exception {
            ApiServer.Reply reply = api.send("OPTIONS", "/api/models/registry", (String) null);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Content-Type")).startsWith("application/json");
            assertThat(reply.json().get("allow").toString()).contains("\"GET\"");
            assertThat(reply.header("Allow")).contains("GET");
        }
    }

    @Nested
    @DisplayName("a body over 1 MiB")
    class TooLarge {
        final byte[] twoMiB = ("{\"enabled\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);

        // Repeated: a server that answers before reading the body makes TCP reset the connection, and
        // the client then often gets no answer at all.
        @Test
        @DisplayName("with a Content-Length is 413 PayloadTooLarge, every time")
        void withContentLength() throws Exception {
            for (int i = 0; i < 10; i++) {
                JsonNode error = assertError(api.send("PUT", "/api/models/" + FAST + "/enabled",
                        HttpRequest.BodyPublishers.ofByteArray(twoMiB), "Content-Type", "application/json"),
                        413, "PayloadTooLarge");
                assertThat(error.get("details").get("limitBytes").asLong()).isEqualTo(1024 * 1024);
            }
        }

        @Test
        @DisplayName("sent chunked is 413 PayloadTooLarge, every time")
        void chunked() throws Exception {
            for (int i = 0; i < 10; i++) {
                assertError(api.send("PUT", "/api/models/" + FAST + "/enabled",
                        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(twoMiB)),
                        "Content-Type", "application/json"), 413, "PayloadTooLarge");
            }
            assertThat(api.get("/api/models/" + FAST).json().get("enabled").asBoolean()).isFalse();
        }

        @Test
        @DisplayName("written whole before a byte of the answer is read gets the whole 413, and the connection"
                + " carries the next request")
        void writtenWhole() throws Exception {
            // The most that is read of a refused body.
            long size = BodySizeLimitFilter.MAX_BODY_BYTES + BodySizeLimitFilter.MAX_DISCARDED_BYTES;
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("PUT", "/api/models/" + FAST + "/enabled", "Content-Type", "application/json",
                        "Content-Length", String.valueOf(size));
                raw.sendFiller(size);
                RawHttp.Reply reply = raw.read();
                assertThat(reply.status()).as(reply.body()).isEqualTo(413);
                assertThat(reply.body()).contains("\"PayloadTooLarge\"");

                raw.sendHead("GET", "/api/models/" + FAST);
                assertThat(raw.read().status()).isEqualTo(200);
            }
        }

        @Test
        @DisplayName("declared over 2 GiB is 413 too, at once, and the connection is closed")
        void declaredHuge() throws Exception {
            try (RawHttp raw = RawHttp.connect(api.uri("/").getPort())) {
                raw.sendHead("PUT", "/api/models/" + FAST + "/enabled", "Content-Type", "application/json",
                        "Content-Length", String.valueOf(10L * 1024 * 1024 * 1024));
                RawHttp.Reply reply = raw.read();
                assertThat(reply.status()).as(reply.body()).isEqualTo(413);
                assertThat(reply.body()).contains("\"PayloadTooLarge\"");
                assertThat(raw.closedByServer()).isTrue();
            }
        }

        @Test
        @DisplayName("while a body just under the limit is read")
        void underTheLimit() throws Exception {
            String padding = " ".repeat(1024 * 1024 - 40);
            ApiServer.Reply reply = api.put("/api/models/" + FAST + "/enabled", "{\"enabled\": true}" + padding);

            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        }
    }

    @Nested
    @DisplayName("an unexpected failure")
    class Unexpected {
        @Test
        @DisplayName("is 500 InternalError with an error id that the log shows beside the stack trace")
        void internalError() throws Exception {
            ApiServer.Reply reply;
            String log;
            try (CapturedStderr stderr = new CapturedStderr()) {
                reply = api.get("/api/test-only/bug");
                log = stderr.text();
            }

            JsonNode error = assertError(reply, 500, "InternalError");
            String errorId = error.get("details").get("errorId").asText();
            assertThat(errorId).isNotBlank();
            assertThat(error.get("message").asText()).contains(errorId);
            assertThat(reply.raw().body()).doesNotContain("internal detail");
            assertThat(log).contains(errorId)
                    .contains("IllegalStateException: internal detail that must stay in the log")
                    .contains("at " + FailingResource.class.getName() + ".bug");
        }

        @Test
        @DisplayName("a registry that cannot be saved makes a rescan 500 RescanFailed")
        void rescanFailed() throws Exception {
            Path data = magi.root.resolve("data");
            try (var files = Files.list(data)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(data);
            Files.writeString(data, "a file where the registry's directory was");
            ApiFixture.writeModel(magi.models.resolve("New-2B-Q4_K_M.gguf"), "llama", 2);

            JsonNode error = assertError(api.post("/api/models/rescan", null), 500, "RescanFailed");

            assertThat(error.get("message").asText()).startsWith("Rescan failed");
            assertThat(api.get("/api/models/registry").json().get("models").size()).isEqualTo(3);
        }
    }
}
