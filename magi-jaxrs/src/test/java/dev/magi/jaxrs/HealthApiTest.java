package dev.magi.jaxrs;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("GET /health")
class HealthApiTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("answers 200 {status: ok} at the root, outside /api")
    void ok() throws Exception {
        try (ApiFixture magi = ApiFixture.start(dir)) {
            ApiServer.Reply reply = magi.api.get("/health");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Content-Type")).startsWith("application/json");
            assertThat(reply.json().toString()).isEqualTo("{\"status\":\"ok\"}");
        }
    }
}
