package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The standalone behaves the same over HTTP whichever built-in store keeps its data. */
@DisplayName("The standalone on each built-in store")
class StoresOverHttpTest {
    private static final String MODEL = "small-1b-q4_k_m";

    @TempDir
    Path dir;

    private MagiServer start(String store) throws Exception {
        MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.STORE, store)
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .build();
        return MagiServer.newServer(engine, "127.0.0.1", 0).start();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"json", "yaml", "h2"})
    @DisplayName("serves the same API and keeps every change across a restart")
    void sameBehaviour(String store) throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        String firstRegistry;
        try (MagiServer server = start(store)) {
            Http http = new Http(server.uri());
            assertThat(http.put("/api/models/" + MODEL + "/tier", "{\"tier\": \"powerful\"}").status()).isEqualTo(200);
            assertThat(http.put("/api/models/" + MODEL + "/enabled", "{\"enabled\": true}").status()).isEqualTo(200);
            assertThat(http.put("/api/models/" + MODEL + "/runtime-settings", "{\"ctxSize\": 4096}").status())
                    .isEqualTo(200);
            assertThat(http.send("POST", "/api/models/profiles",
                    "{\"name\": \"dev\", \"enabledModels\": [\"" + MODEL + "\"]}").status()).isEqualTo(201);
            assertThat(http.put("/api/models/" + MODEL + "/tier", "{\"tier\": \"huge\"}").json()
                    .path("error").asText()).isEqualTo("InvalidTier");
            firstRegistry = http.get("/api/models/registry").body();
        }
        try (MagiServer server = start(store)) {
            Http http = new Http(server.uri());
            JsonNode model = http.get("/api/models/" + MODEL).json();
            assertThat(model.path("tierOverride").asText()).isEqualTo("powerful");
            assertThat(model.path("enabled").asBoolean()).isTrue();
            assertThat(model.path("port").asInt()).isEqualTo(8080);
            assertThat(model.path("ctxSize").asInt()).isEqualTo(4096);
            assertThat(http.get("/api/models/profiles").body()).isEqualTo("[\"dev\"]");
            assertThat(http.get("/api/models/profiles/dev").json().path("enabledModels").get(0).asText()).isEqualTo(MODEL);
            JsonNode before = Http.JSON.readTree(firstRegistry).path("models");
            assertThat(http.get("/api/models/registry").json().path("models")).isEqualTo(before);
        }
    }
}
