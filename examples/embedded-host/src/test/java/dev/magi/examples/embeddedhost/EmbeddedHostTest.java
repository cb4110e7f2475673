package dev.magi.examples.embeddedhost;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The embedded host")
class EmbeddedHostTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    private MagiEngine engine;
    private Server server;
    private URI base;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .build();
        server = EmbeddedHost.newServer(0, engine);
        server.start();
        base = URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        engine.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("serves its own resource")
    void ownResource() throws Exception {
        HttpResponse<String> response = get("/hello");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json.readTree(response.body()).path("greeting").asText()).isNotBlank();
    }

    @Test
    @DisplayName("serves the MAGI API from the same Jersey")
    void magiApi() throws Exception {
        HttpResponse<String> registry = get("/api/models/registry");
        assertThat(registry.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(registry.body());
        assertThat(body.path("models").isObject()).as(registry.body()).isTrue();

        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("serves the OpenAI-compatible gateway from the same Jersey: its model list ends with auto")
    void gatewayModels() throws Exception {
        HttpResponse<String> models = get("/v1/models");
        assertThat(models.statusCode()).as(models.body()).isEqualTo(200);
        JsonNode body = json.readTree(models.body());
        assertThat(body.path("object").asText()).isEqualTo("list");
        JsonNode data = body.path("data");
        assertThat(data.isArray()).as(models.body()).isTrue();
        assertThat(data.get(data.size() - 1).path("id").asText()).isEqualTo("auto");
    }

    @Test
    @DisplayName("answers MAGI's JSON errors for MAGI's paths")
    void magiErrors() throws Exception {
        HttpResponse<String> missing = get("/api/models/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json.readTree(missing.body()).path("error").asText()).isEqualTo("ModelNotFound");
    }
}
