package dev.magi.jaxrs.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.testkit.CapturedStderr;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("GET /servers tells which llama-server MAGI runs")
class LlamaServerVersionOverHttpTest extends OneModelOverHttpTest {
    @Test
    @DisplayName("its path, version and build, next to the servers as before")
    void version() throws Exception {
        live.install(live.fake().version("7 (fake build)")).start();

        JsonNode body = live.get("/api/models/servers").json();

        JsonNode llamaServer = body.path("llamaServer");
        assertThat(llamaServer.path("path").asText()).isEqualTo(live.launcher.toString());
        assertThat(llamaServer.path("version").asText()).isEqualTo("7 (fake build)");
        assertThat(llamaServer.path("build").asText()).isEqualTo(FakeLlamaServer.BUILD);
        assertThat(llamaServer.has("error")).isFalse();
        assertThat(body.path("totalServers").asInt()).isEqualTo(0);
        assertThat(body.path("readyServers").asInt()).isEqualTo(0);
        assertThat(body.path("runningServers").asInt()).isEqualTo(0);
        assertThat(body.path("servers").isArray()).isTrue();
        assertThat(live.runs()).as("asking the version is not a run of a server").isEmpty();
    }

    @Test
    @DisplayName("a missing binary: why, and one WARN line at start without a stack trace; once installed, its version")
    void missing() throws Exception {
        String log;
        try (CapturedStderr stderr = new CapturedStderr()) {
            live.start();
            JsonNode llamaServer = live.get("/api/models/servers").json().path("llamaServer");

            assertThat(llamaServer.path("path").asText()).isEqualTo(live.launcher.toString());
            assertThat(llamaServer.path("error").asText()).isEqualTo("llama-server not found at " + live.launcher
                    + " (set LLAMA_SERVER_PATH or --llama-server)");
            assertThat(llamaServer.has("version")).isFalse();
            LiveMagi.await("the warning", () -> stderr.text().contains("llama-server cannot be used"));
            live.get("/api/models/servers");
            log = stderr.text();
        }
        List<String> warnings = log.lines().filter(line -> line.contains("llama-server cannot be used")).toList();
        assertThat(warnings).singleElement().asString().contains("WARN").contains("not found at " + live.launcher);
        assertThat(log).doesNotContain("\tat ");

        live.install(live.fake());

        JsonNode installed = live.get("/api/models/servers").json().path("llamaServer");
        assertThat(installed.path("version").asText()).isEqualTo(FakeLlamaServer.VERSION);
        assertThat(installed.has("error")).isFalse();
    }
}
