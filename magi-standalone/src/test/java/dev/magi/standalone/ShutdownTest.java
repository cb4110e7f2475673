package dev.magi.standalone;

import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A MAGI process")
class ShutdownTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("serves on the free port it logs, and on SIGTERM stops Jetty, closes the engine and exits 0")
    void sigterm() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        try (MagiProcess magi = MagiProcess.fromClasspath(System.getProperty("java.class.path"),
                "--port", "0",
                "--scan-path", dir.resolve("models").toString(),
                "--registry-path", dir.resolve("data/model_registry.json").toString(),
                "--profiles-path", dir.resolve("profiles").toString())) {
            Http http = new Http(magi.awaitListening());
            assertThat(http.get("/health").status()).isEqualTo(200);
            assertThat(http.get("/api/models/registry").json().path("models").has("small-1b-q4_k_m")).isTrue();

            int code = magi.terminate();

            assertThat(code).as(magi.output()).isEqualTo(MagiMain.EXIT_OK);
            assertThat(magi.output()).contains("MAGI engine stopped").contains("MAGI stopped");
        }
    }
}
