package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.jaxrs.ApiServer;
import dev.magi.jaxrs.SseClient;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("What the API shows of the gateway, over real HTTP with the fake llama-server")
class GatewayObservedOverHttpTest {
    private static final Duration PATIENCE = LiveGateway.PATIENCE;
    private static final String SMALL = "small-1b-q4_0";
    private static final String OTHER = "other-1b-q4_0";
    /** The fake's chunks per stream; it reports one completion token per chunk in its timings. */
    private static final int CHUNKS = 5;

    @TempDir
    Path dir;
    /** One enabled fast model, not started; a test may add settings before it starts it. */
    private LiveGateway.Builder setup;
    private LiveGateway gateway;
    private MagiEngine engine;
    private ApiServer api;

    @BeforeEach
    void oneModel() {
        setup = LiveGateway.in(dir).model(SMALL, Tier.FAST);
    }

    @AfterEach
    void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start(FakeLlamaServer.Launcher fake) throws Exception {
        gateway = setup.fake(fake.stream(CHUNKS, 0)).start();
        engine = gateway.engine();
        api = gateway.api();
    }

    private static String chat(String model, boolean stream) {
        return LiveGateway.chat(model, "hi", stream);
    }

    private String streamed(String model) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(api.uri("/v1/chat/completions")).timeout(PATIENCE)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chat(model, true))).build();
        HttpResponse<String> response = api.client().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** Two answers (usage 3 + 4 each), one stream (timings 3 + CHUNKS), one unknown model. */
    private void someRequests() throws Exception {
        assertThat(api.post("/v1/chat/completions", chat(SMALL, false)).status()).isEqualTo(200);
        assertThat(api.post("/v1/chat/completions", chat("fast", false)).status()).isEqualTo(200);
        assertThat(streamed(SMALL)).contains("[DONE]");
        assertThat(api.post("/v1/chat/completions", chat("no-such-model", false)).status()).isEqualTo(404);
    }

    @Nested
    @DisplayName("GET /metrics")
    class Metrics {
        @Test
        @DisplayName("counts requests by model, tier, route and status, with latency and first-byte histograms")
        void requests() throws Exception {
            start(FakeLlamaServer.launcher());
            someRequests();
            ApiServer.Reply reply = api.get("/metrics");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Content-Type")).startsWith("text/plain");
            String metrics = reply.raw().body();
            assertThat(LiveGateway.sample(metrics, "magi_gateway_requests_total", "model=\"" + SMALL + "\"", "tier=\"fast\"",
                    "route=\"model\"", "status=\"200\"")).isEqualTo(2.0);
            assertThat(LiveGateway.sample(metrics, "magi_gateway_requests_total", "model=\"" + SMALL + "\"",
                    "route=\"tier\"", "status=\"200\"")).isEqualTo(1.0);
            assertThat(LiveGateway.sample(metrics, "magi_gateway_requests_total", "model=\"none\"", "status=\"404\""))
                    .isEqualTo(1.0);
            assertThat(LiveGateway.sample(metrics, "magi_gateway_time_to_first_byte_seconds_count",
                    "model=\"" + SMALL + "\"")).isEqualTo(3.0);
            assertThat(metrics).contains("magi_gateway_time_to_first_byte_seconds_bucket{")
                    .contains("magi_gateway_request_duration_seconds_bucket{")
                    .contains("magi_gateway_queue_wait_seconds_count{")
                    .contains("magi_gateway_queue_depth ");
        }

        @Test
        @DisplayName("counts prompt and completion tokens from usage and from a stream's timings")
        void tokens() throws Exception {
            start(FakeLlamaServer.launcher());
            someRequests();
            String metrics = api.get("/metrics").raw().body();
            assertThat(LiveGateway.sample(metrics, "magi_gateway_tokens_total", "model=\"" + SMALL + "\"", "kind=\"prompt\""))
                    .isEqualTo(3.0 + 3.0 + 3.0);
            assertThat(LiveGateway.sample(metrics, "magi_gateway_tokens_total", "model=\"" + SMALL + "\"",
                    "kind=\"completion\"")).isEqualTo(4.0 + 4.0 + CHUNKS);
        }

        @Test
        @DisplayName("counts on-demand starts and serves the JVM's own meters and the memory gauges")
        void startsAndJvm() throws Exception {
            start(FakeLlamaServer.launcher());
            someRequests();
            String metrics = api.get("/metrics").raw().body();
            assertThat(LiveGateway.sample(metrics, "magi_gateway_starts_total", "model=\"" + SMALL + "\"",
                    "reason=\"on_demand\"")).isEqualTo(1.0);
            assertThat(metrics).contains("jvm_memory_used_bytes{").contains("jvm_threads_live_threads ")
                    .contains("jvm_gc_").contains("process_cpu_usage ").contains("process_uptime_seconds ")
                    .contains("magi_memory_budget_bytes ").contains("magi_memory_reserved_bytes ");
        }

        @Test
        @DisplayName("with an API key, needs it")
        void apiKey() throws Exception {
            setup.set(ConfigKey.API_KEY, "sekret");
            start(FakeLlamaServer.launcher());
            assertThat(api.get("/metrics").status()).isEqualTo(401);
            assertThat(api.get("/metrics", "X-API-Key", "wrong").status()).isEqualTo(401);
            assertThat(api.get("/metrics", "X-API-Key", "sekret").status()).isEqualTo(200);
            assertThat(api.get("/api/gateway/requests").status()).isEqualTo(401);
        }
    }

    @Nested
    @DisplayName("GET /api/gateway/requests")
    class Requests {
        @Test
        @DisplayName("lists the last requests, newest last, with route, status, times and tokens")
        void lists() throws Exception {
            start(FakeLlamaServer.launcher());
            someRequests();
            ApiServer.Reply reply = api.get("/api/gateway/requests");
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            JsonNode requests = reply.json().path("requests");
            assertThat(requests).hasSize(4);
            JsonNode first = requests.get(0);
            assertThat(first.path("asked").asText()).isEqualTo(SMALL);
            assertThat(first.path("model").asText()).isEqualTo(SMALL);
            assertThat(first.path("tier").asText()).isEqualTo("fast");
            assertThat(first.path("route").asText()).isEqualTo("model");
            assertThat(first.path("status").asInt()).isEqualTo(200);
            assertThat(first.path("loadMs").asLong()).isPositive();
            assertThat(first.path("queueMs").asLong()).isGreaterThanOrEqualTo(first.path("loadMs").asLong());
            assertThat(first.path("totalMs").asLong()).isGreaterThanOrEqualTo(first.path("queueMs").asLong());
            assertThat(first.path("time").asText()).isNotBlank();
            assertThat(first.path("promptTokens").asInt()).isEqualTo(3);
            assertThat(first.path("completionTokens").asInt()).isEqualTo(4);
            assertThat(requests.get(1).path("asked").asText()).isEqualTo("fast");
            assertThat(requests.get(1).path("route").asText()).isEqualTo("tier");
            assertThat(requests.get(2).path("completionTokens").asInt()).isEqualTo(CHUNKS);
            assertThat(requests.get(3).path("asked").asText()).isEqualTo("no-such-model");
            assertThat(requests.get(3).path("status").asInt()).isEqualTo(404);
            assertThat(requests.get(3).path("model").isNull()).isTrue();

            JsonNode tail = api.get("/api/gateway/requests?tail=2").json().path("requests");
            assertThat(tail).hasSize(2);
            assertThat(tail.get(1).path("asked").asText()).isEqualTo("no-such-model");
        }

        @Test
        @DisplayName("a tail that is not 1 to 1000 is a 400 naming the parameter")
        void badTail() throws Exception {
            start(FakeLlamaServer.launcher());
            for (String tail : List.of("0", "1001", "-1", "many")) {
                ApiServer.Reply reply = api.get("/api/gateway/requests?tail=" + tail);
                assertThat(reply.status()).as(tail).isEqualTo(400);
                assertThat(reply.json().path("error").asText()).isEqualTo("InvalidRequest");
                assertThat(reply.raw().body()).contains("tail");
            }
        }
    }

    @Nested
    @DisplayName("GET /api/models/servers")
    class Servers {
        @Test
        @DisplayName("shows a stream in flight, the server's slots and its requests in all")
        void traffic() throws Exception {
            Path gate = dir.resolve("gate");
            start(FakeLlamaServer.launcher().streamGate(gate).slots(2));
            assertThat(api.post("/v1/chat/completions", chat(SMALL, false)).status()).isEqualTo(200);
            CompletableFuture<String> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return streamed(SMALL);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            JsonNode busy = Eventually.awaitValue("the stream in flight", () -> server(), s -> s.path("inFlight")
                    .asInt() == 1);
            assertThat(busy.path("queued").asInt()).isZero();
            assertThat(busy.path("slots").asInt()).isEqualTo(2);
            assertThat(busy.path("requestsTotal").asLong()).isEqualTo(2);
            Files.writeString(gate, "go", StandardCharsets.UTF_8);
            assertThat(held.get()).contains("[DONE]");
            JsonNode done = Eventually.awaitValue("the stream ended", () -> server(), s -> s.path("inFlight")
                    .asInt() == 0);
            assertThat(done.path("requestsTotal").asLong()).isEqualTo(2);
        }

        private JsonNode server() throws Exception {
            JsonNode servers = api.get("/api/models/servers").json().path("servers");
            assertThat(servers).hasSize(1);
            return servers.get(0);
        }
    }

    @Nested
    @DisplayName("GET /api/models/events")
    class Events {
        @Test
        @DisplayName("tells of a server started on demand and of its queue")
        void startedOnDemand() throws Exception {
            Path gate = dir.resolve("gate");
            start(FakeLlamaServer.launcher().loadGate(gate));
            try (SseClient events = gateway.events()) {
                events.next("hello", event -> event.name().equals("hello"));
                CompletableFuture<ApiServer.Reply> asked = CompletableFuture.supplyAsync(() -> {
                    try {
                        return api.post("/v1/chat/completions", chat(SMALL, false));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                String started = gatewayEvent(events, "\"kind\":\"started\"");
                assertThat(started).contains("\"modelId\":\"" + SMALL + "\"").contains("\"reason\":\"on_demand\"");
                assertThat(gatewayEvent(events, "\"kind\":\"queue\"")).contains("\"queued\":1");
                Files.writeString(gate, "go", StandardCharsets.UTF_8);
                assertThat(asked.get().status()).isEqualTo(200);
                assertThat(gatewayEvent(events, "\"kind\":\"queue\"")).contains("\"queued\":0");
            }
        }

        @Test
        @DisplayName("tells of an idle server unloaded to make room for another, with the reason evicted")
        void evicted() throws Exception {
            setup.model(OTHER).set(ConfigKey.MAX_LOADED_MODELS, "1");
            start(FakeLlamaServer.launcher());
            assertThat(api.post("/v1/chat/completions", chat(SMALL, false)).status()).isEqualTo(200);
            Eventually.await(PATIENCE, "the first server to be idle", () -> engine.gateway().inFlight(SMALL) == 0);
            try (SseClient events = gateway.events()) {
                events.next("hello", event -> event.name().equals("hello"));

                // Room for one server only: the idle one makes way.
                assertThat(api.post("/v1/chat/completions", chat(OTHER, false)).status()).isEqualTo(200);

                assertThat(gatewayEvent(events, "\"kind\":\"unloaded\""))
                        .isEqualTo("{\"kind\":\"unloaded\",\"modelId\":\"" + SMALL + "\",\"reason\":\"evicted\"}");
            }
            assertThat(engine.supervisor().server(SMALL).map(ServerStatus::state)).contains(ServerState.STOPPED);
        }

        /** The data of the next {@code gateway} event whose data contains {@code wanted}. */
        private static String gatewayEvent(SseClient events, String wanted) throws InterruptedException {
            return events.next("a gateway event with " + wanted,
                    event -> event.name().equals("gateway") && event.data().contains(wanted)).data();
        }
    }
}
