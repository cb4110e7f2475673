package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Many clients at once, against the standalone server over real HTTP")
class ManyClientsTest {
    private static final String MODEL = "small-1b-q4_k_m";
    private static final int REQUESTS = 1_000;

    @TempDir
    Path dir;
    private MagiServer server;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .build();
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** What became of one request: its status and body, or the failure that replaced them. */
    private record Outcome(String path, int status, String body, Throwable failure) {
        String kind() {
            return failure != null ? "failed: " + failure : String.valueOf(status);
        }
    }

    @Test
    @DisplayName("1,000 concurrent requests for /health and the registry are all answered, 200 or a clear 503,"
            + " and MAGI stays up")
    void thousandConcurrentRequests() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(16);
        // HTTP/1.1 without a pool limit: each request in flight has a connection of its own.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(60)).build();
        try {
            List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                String path = i % 2 == 0 ? "/health" : "/api/models/registry";
                // The timeout only turns a request that would hang into a failure this test reports.
                HttpRequest request = HttpRequest.newBuilder(URI.create(server.uri() + path.substring(1)))
                        .timeout(Duration.ofSeconds(120)).GET().build();
                outcomes.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .handle((response, failure) -> failure != null
                                ? new Outcome(path, -1, null, failure)
                                : new Outcome(path, response.statusCode(), response.body(), null)));
            }
            CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);

            List<Outcome> all = outcomes.stream().map(CompletableFuture::join).toList();
            Map<String, Long> byKind = all.stream()
                    .collect(Collectors.groupingBy(Outcome::kind, Collectors.counting()));
            assertThat(byKind.keySet()).as("outcomes: %s", byKind).isSubsetOf("200", "503");
            for (Outcome outcome : all) {
                JsonNode body = Http.JSON.readTree(outcome.body());
                if (outcome.status() == 503) {
                    assertThat(body.path("error").asText()).as(outcome.path()).isEqualTo("ServiceUnavailable");
                } else if (outcome.path().equals("/health")) {
                    assertThat(body.path("status").asText()).isEqualTo("ok");
                } else {
                    assertThat(body.path("models").has(MODEL)).as(outcome.body()).isTrue();
                }
            }
            assertThat(all.stream().map(Outcome::path).collect(Collectors.groupingBy(Function.identity(),
                    Collectors.counting()))).containsEntry("/health", (long) REQUESTS / 2)
                    .containsEntry("/api/models/registry", (long) REQUESTS / 2);
        } finally {
            executor.shutdownNow();
        }

        Http.Reply health = new Http(server.uri()).get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("ok");
    }
}
