package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The standalone server's gateway, at the root, with the fake llama-server")
class GatewayOnStandaloneTest {
    private static final String MODEL = "small-1b-q4_k_m";

    @TempDir
    Path dir;
    private MagiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("answers a chat completion at /v1 from a model it starts on demand, and llama-server's /tokenize")
    void chatAtTheRoot() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        FakeLlamaServer.launcher().writeTo(dir.resolve("bin/llama-server"));
        int ports = FreePorts.rangeStart(4);
        MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, dir.resolve("bin/llama-server").toString())
                .set(ConfigKey.PORT_RANGE, ports + "-" + (ports + 3))
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "1")
                .build();
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
        Http http = new Http(server.uri());

        Http.Reply chat = http.send("POST", "/v1/chat/completions", "{\"model\":\"" + MODEL
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(chat.status()).as(chat.body()).isEqualTo(200);
        assertThat(chat.json().path("choices").get(0).path("message").path("content").asText())
                .isEqualTo("fake answer from " + MODEL);

        Http.Reply tokenize = http.send("POST", "/tokenize", "{\"model\":\"" + MODEL + "\",\"content\":\"hi\"}");
        assertThat(tokenize.status()).as(tokenize.body()).isEqualTo(200);
        assertThat(tokenize.json().path("path").asText()).isEqualTo("/tokenize");

        Http.Reply unknown = http.send("POST", "/v1/chat/completions", "{\"model\":\"nope\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("code").asText()).isEqualTo("model_not_found");
    }
}
