package dev.magi.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;

import static dev.magi.jaxrs.ApiFixture.FAST;
import static dev.magi.jaxrs.ApiFixture.assertError;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("With an API key configured")
class ApiKeyTest {
    static final String KEY = "correct-horse-battery-staple";

    @TempDir
    Path dir;
    ApiFixture magi;
    ApiServer api;

    @BeforeEach
    void start() throws Exception {
        magi = ApiFixture.withSettings(dir, b -> b.set(ConfigKey.API_KEY, KEY));
        api = magi.api;
    }

    @AfterEach
    void stop() throws Exception {
        magi.close();
    }

    @Nested
    @DisplayName("a request under /api")
    class UnderApi {
        @Test
        @DisplayName("without a key is 401 Unauthorized with WWW-Authenticate")
        void missing() throws Exception {
            ApiServer.Reply reply = api.get("/api/models/registry");

            JsonNode error = assertError(reply, 401, "Unauthorized");
            assertThat(error.get("message").asText()).contains("Authorization: Bearer").contains("X-API-Key");
            assertThat(reply.header("WWW-Authenticate")).startsWith("Bearer");
        }

        @Test
        @DisplayName("with a wrong key is 401 Unauthorized")
        void wrong() throws Exception {
            assertError(api.get("/api/models/registry", "Authorization", "Bearer not-the-key"), 401, "Unauthorized");
            assertError(api.get("/api/models/registry", "X-API-Key", "not-the-key"), 401, "Unauthorized");
            assertError(api.get("/api/models/registry", "X-API-Key", KEY + "x"), 401, "Unauthorized");
            assertError(api.get("/api/models/registry", "Authorization", "Basic " + KEY), 401, "Unauthorized");
            assertError(api.get("/api/models/registry", "Authorization", "Bearer"), 401, "Unauthorized");
        }

        @Test
        @DisplayName("with the key as a Bearer token or in X-API-Key is served")
        void accepted() throws Exception {
            assertThat(api.get("/api/models/registry", "Authorization", "Bearer " + KEY).status()).isEqualTo(200);
            assertThat(api.get("/api/models/registry", "X-API-Key", KEY).status()).isEqualTo(200);
            assertThat(api.send("PUT", "/api/models/" + FAST + "/enabled", "{\"enabled\": true}",
                    "X-API-Key", KEY).status()).isEqualTo(200);
        }

        @Test
        @DisplayName("to an unknown path reveals nothing without the key")
        void unknownPath() throws Exception {
            assertError(api.get("/api/no/such/thing"), 401, "Unauthorized");
            assertError(api.send("DELETE", "/api/models/registry", (String) null), 401, "Unauthorized");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"/api;x=1/models/registry", "/api;/models/registry", "/api/models;x/registry",
                "/%61pi/models/registry", "/api/models/registry/", "/api/models/registry;x"})
        @DisplayName("written another way that still reaches a resource needs the key too")
        void otherSpellings(String path) throws Exception {
            ApiServer.Reply reply = api.get(path);

            assertThat(reply.status()).as(path + " answered " + reply.raw().body()).isIn(401, 404);
            assertThat(reply.raw().body()).doesNotContain("\"models\"");
        }

        @Test
        @DisplayName("with a matrix parameter cannot change anything without the key")
        void matrixParameterWrite() throws Exception {
            assertError(api.put("/api;x/models/" + FAST + "/enabled", "{\"enabled\": true}"), 401, "Unauthorized");

            JsonNode model = api.get("/api/models/" + FAST, "X-API-Key", KEY).json();
            assertThat(model.get("enabled").asBoolean()).isFalse();
        }
    }

    @Nested
    @DisplayName("outside /api")
    class OutsideApi {
        @Test
        @DisplayName("GET /health needs no key")
        void health() throws Exception {
            ApiServer.Reply reply = api.get("/health");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().get("status").asText()).isEqualTo("ok");
        }

        @Test
        @DisplayName("other paths need no key either: the WebUI loads, then asks for the key")
        void otherPaths() throws Exception {
            assertThat(api.get("/").status()).isEqualTo(200);
            assertThat(api.get("/app.js").status()).isEqualTo(200);
            assertError(api.get("/nothing-here.html"), 404, "NotFound");
        }
    }
}
