package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.memory.MemoryEstimate;
import dev.magi.jaxrs.ApiServer;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.magi.jaxrs.gateway.LiveGateway.chat;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The memory budget over real HTTP, with the fake llama-server")
class MemoryOverHttpTest {
    private static final String SMALL = "small-1b-q4_0";
    private static final String OTHER = "other-1b-q4_0";
    private static final String HUGE = "huge-1b-q4_0";
    /** 1 layer x 4 KV heads x (64 + 64) x 2 bytes per token (no tensor data is written). */
    private static final long PER_TOKEN = 1024;
    private static final long BUDGET = 6L << 20;

    @TempDir
    Path dir;
    private LiveGateway gateway;
    private ApiServer api;

    @BeforeEach
    void start() throws Exception {
        gateway = LiveGateway.in(dir).model(SMALL, model(4096)).model(OTHER, model(4096)).model(HUGE, model(65_536))
                .set(ConfigKey.MEMORY_BUDGET, "6M")
                .set(ConfigKey.MAX_LOADED_MODELS, "3")
                .start();
        api = gateway.api();
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static GgufWriter model(int contextLength) {
        return GgufWriter.typicalModel()
                .putUint32("llama.context_length", contextLength)
                .putUint32("llama.attention.head_count", 4);
    }

    private JsonNode listed(String id) throws Exception {
        for (JsonNode entry : api.get("/v1/models").json().get("data")) {
            if (entry.get("id").asText().equals(id)) {
                return entry;
            }
        }
        throw new AssertionError(id + " is not listed");
    }

    @Test
    @DisplayName("GET /v1/models and the model record carry estimatedMemoryBytes, which follows a ctxSize change")
    void estimates() throws Exception {
        long atHeader = MemoryEstimate.bytes(0, PER_TOKEN, 4096, 0);
        assertThat(listed(SMALL).get("magi").get("estimatedMemoryBytes").asLong()).isEqualTo(atHeader);
        assertThat(listed("fast").get("magi").get("estimatedMemoryBytes").isNull()).as("a virtual name").isTrue();
        assertThat(api.get("/api/models/" + SMALL).json().get("estimatedMemoryBytes").asLong()).isEqualTo(atHeader);

        ApiServer.Reply changed = api.put("/api/models/" + SMALL + "/runtime-settings", "{\"ctxSize\": 1024}");

        long at1024 = MemoryEstimate.bytes(0, PER_TOKEN, 1024, 0);
        assertThat(changed.status()).as(changed.raw().body()).isEqualTo(200);
        assertThat(changed.json().get("estimatedMemoryBytes").asLong()).isEqualTo(at1024);
        assertThat(listed(SMALL).get("magi").get("estimatedMemoryBytes").asLong()).isEqualTo(at1024);
    }

    @Test
    @DisplayName("a model that cannot fit is 503 insufficient_memory in OpenAI's shape, naming its size and the"
            + " budget")
    void insufficientMemory() throws Exception {
        ApiServer.Reply refused = api.post("/v1/chat/completions", chat(HUGE));

        assertThat(refused.status()).isEqualTo(503);
        JsonNode error = refused.json().get("error");
        assertThat(error.get("type").asText()).isEqualTo("server_error");
        assertThat(error.get("code").asText()).isEqualTo("insufficient_memory");
        assertThat(error.get("param").asText()).isEqualTo("model");
        assertThat(error.get("message").asText()).contains(HUGE, "6 MiB", "--memory-budget",
                "started through the API or a profile");
        assertThat(api.get("/api/models/servers").json().get("runningServers").asInt()).isZero();
    }

    @Test
    @DisplayName("GET /api/models/servers and /metrics show the budget and what the running servers hold;"
            + " an eviction is counted with its reason")
    void budgetShown() throws Exception {
        JsonNode memory = api.get("/api/models/servers").json().get("memory");
        assertThat(memory.get("budgetBytes").asLong()).isEqualTo(BUDGET);
        assertThat(memory.get("reservedBytes").asLong()).isZero();
        assertThat(memory.get("maxLoadedModels").asInt()).isEqualTo(3);

        assertThat(api.post("/v1/chat/completions", chat(SMALL)).status()).isEqualTo(200);
        long small = MemoryEstimate.bytes(0, PER_TOKEN, 4096, 0);
        assertThat(api.get("/api/models/servers").json().get("memory").get("reservedBytes").asLong())
                .isEqualTo(small);
        String metrics = api.get("/metrics").raw().body();
        assertThat(metrics).contains("magi_memory_budget_bytes " + (double) BUDGET)
                .contains("magi_memory_reserved_bytes " + (double) small);

        // Room for one of the two: the idle one is evicted.
        assertThat(api.post("/v1/chat/completions", chat(OTHER)).status()).isEqualTo(200);
        assertThat(api.get("/metrics").raw().body()).containsPattern(
                "magi_gateway_unloads_total\\{[^}]*reason=\"evicted\"[^}]*} 1\\.0");
    }
}
