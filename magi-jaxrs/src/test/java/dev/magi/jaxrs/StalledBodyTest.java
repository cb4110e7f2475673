package dev.magi.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.testkit.CapturedStderr;
import dev.magi.testkit.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static dev.magi.jaxrs.ApiFixture.FAST;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that stops sending part-way through its body, in a web container (as the WAR runs) whose
 * read times out: the API answers 408 {@code RequestTimeout}, not a 500 with a stack trace.
 */
@DisplayName("A request body the container stops waiting for")
class StalledBodyTest {
    @TempDir
    Path dir;
    ApiFixture magi;

    @BeforeEach
    void start() throws Exception {
        magi = ApiFixture.start(dir);
        magi.api.idleTimeout(Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() throws Exception {
        magi.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"POST /api/models/profiles", "PUT /api/models/" + FAST + "/tier"})
    @DisplayName("is 408 RequestTimeout in the API's error shape, with one log line and no stack trace")
    void stalledBodyIsRequestTimeout(String request) throws Exception {
        String response;
        String log;
        try (CapturedStderr stderr = new CapturedStderr();
             Socket socket = new Socket(magi.api.uri("").getHost(), magi.api.uri("").getPort())) {
            // A guard against a server that never answers, not a measure.
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write((request + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\nConnection: close\r\n\r\n{\"na").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Then nothing more, the connection left open: the container's read times out.
            response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 408");
            Eventually.await("the timeout to be logged", () -> stderr.text().contains("RequestTimeout"));
            log = stderr.text();
        }

        JsonNode error = new ObjectMapper().readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
        assertThat(error.path("error").asText()).isEqualTo("RequestTimeout");
        assertThat(error.path("message").asText()).contains("did not arrive in time");
        assertThat(error.path("details").path("receivedBytes").asInt()).isEqualTo(4);
        assertThat(log.lines().filter(line -> line.contains("RequestTimeout"))).hasSize(1);
        assertThat(log).doesNotContain("\tat ").doesNotContain("InternalError");
    }
}
