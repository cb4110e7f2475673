package dev.magi.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.config.ConfigKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.magi.jaxrs.ApiFixture.BALANCED;
import static dev.magi.jaxrs.ApiFixture.FAST;
import static dev.magi.jaxrs.ApiFixture.POWERFUL;
import static dev.magi.jaxrs.ApiFixture.assertError;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The models API over HTTP")
class ModelsApiTest {
    /** Every field of a model, always present (docs/registry.md). */
    static final List<String> MODEL_FIELDS = List.of("modelId", "filePath", "filename", "parts", "fileSizeBytes",
            "family", "version", "sizeParams", "sizeLabel", "parameterCount", "quantization", "architecture",
            "contextLength", "isThinkingModel", "thinkingOverride", "isInstruct", "isCoder", "assignedTier",
            "tierOverride", "effectiveTier", "port", "enabled", "nGpuLayers", "ctxSize", "nThreads", "batchSize",
            "extraArgs", "env", "aliases", "ttlSeconds", "mmprojPath", "metadataSource", "displayName", "problems",
            "tensorBytes", "kvBytesPerToken", "mmprojSizeBytes", "estimatedMemoryBytes",
            "gpus", "cpus");

    @TempDir
    Path dir;
    ApiFixture magi;
    ApiServer api;

    @BeforeEach
    void start() throws Exception {
        magi = ApiFixture.start(dir);
        api = magi.api;
    }

    @AfterEach
    void stop() throws Exception {
        magi.close();
    }

    static void assertModel(JsonNode model) {
        List<String> fields = new ArrayList<>();
        model.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsAll(MODEL_FIELDS);
        assertThat(model.get("parts").isArray()).isTrue();
        assertThat(model.get("problems").isArray()).isTrue();
        assertThat(model.get("extraArgs").isArray()).isTrue();
        assertThat(model.get("env").isObject()).isTrue();
        assertThat(model.get("aliases").isArray()).isTrue();
        assertThat(Path.of(model.get("filePath").asText())).isAbsolute();
    }

    static void assertCommandSuccess(ApiServer.Reply reply, String... fields) {
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        JsonNode body = reply.json();
        assertThat(body.path("message").asText()).isNotBlank();
        assertThat(Instant.parse(body.path("timestamp").asText())).isNotNull();
        for (String field : fields) {
            assertThat(body.has(field)).as("field %s of %s", field, body).isTrue();
        }
    }

    JsonNode model(String id) throws Exception {
        ApiServer.Reply reply = api.get("/api/models/" + id);
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        return reply.json();
    }

    @Nested
    @DisplayName("GET /api/models/registry")
    class Registry {
        @Test
        @DisplayName("answers the whole registry, every field of every model present, nulls included")
        void shape() throws Exception {
            ApiServer.Reply reply = api.get("/api/models/registry");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("Content-Type")).startsWith("application/json");
            JsonNode registry = reply.json();
            List<String> keys = new ArrayList<>();
            registry.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).contains("models", "scanPath", "lastScan", "portRange", "tierThresholds");
            assertThat(registry.get("scanPath").asText()).isEqualTo(magi.models.toString());
            assertThat(Instant.parse(registry.get("lastScan").asText())).isBeforeOrEqualTo(Instant.now());
            assertThat(registry.get("portRange").toString()).isEqualTo("[8080,8099]");
            assertThat(registry.get("tierThresholds").get("powerful_min").asDouble()).isEqualTo(14);
            assertThat(registry.get("tierThresholds").get("fast_max").asDouble()).isEqualTo(7);

            JsonNode models = registry.get("models");
            assertThat(models.size()).isEqualTo(3);
            models.fields().forEachRemaining(entry -> {
                assertModel(entry.getValue());
                assertThat(entry.getValue().get("modelId").asText()).isEqualTo(entry.getKey());
            });
            JsonNode small = models.get(FAST);
            assertThat(small.get("filename").asText()).isEqualTo("Tiny-1B-Q4_K_M.gguf");
            assertThat(small.get("metadataSource").asText()).isEqualTo("gguf");
            assertThat(small.get("sizeParams").asDouble()).isEqualTo(1.0);
            assertThat(small.get("assignedTier").asText()).isEqualTo("fast");
            assertThat(small.get("effectiveTier").asText()).isEqualTo("fast");
            assertThat(small.get("enabled").asBoolean()).isFalse();
            for (String nullable : List.of("thinkingOverride", "tierOverride", "port", "nGpuLayers", "ctxSize",
                    "nThreads", "batchSize", "mmprojPath")) {
                assertThat(small.get(nullable).isNull()).as(nullable).isTrue();
            }
            assertThat(small.get("extraArgs").toString()).isEqualTo("[]");
            assertThat(small.get("env").toString()).isEqualTo("{}");
            assertThat(models.get(BALANCED).get("assignedTier").asText()).isEqualTo("balanced");
            assertThat(models.get(POWERFUL).get("assignedTier").asText()).isEqualTo("powerful");
        }
    }

    @Nested
    @DisplayName("POST /api/models/rescan")
    class Rescan {
        @Test
        @DisplayName("reports found, added, removed and skipped files with the time it took")
        void summary() throws Exception {
            Files.delete(magi.models.resolve("Middle-8B-Q8_0.gguf"));
            ApiFixture.writeModel(magi.models.resolve("sub/Extra-3B-Q4_K_M.gguf"), "llama", 3);
            Files.writeString(magi.models.resolve("notes.gguf"), "not a model");

            ApiServer.Reply reply = api.post("/api/models/rescan", null);

            assertCommandSuccess(reply, "modelsFound", "modelsAdded", "modelsRemoved", "skipped", "durationMs");
            JsonNode body = reply.json();
            assertThat(body.get("modelsFound").asInt()).isEqualTo(3);
            assertThat(body.get("modelsAdded").asInt()).isEqualTo(1);
            assertThat(body.get("modelsRemoved").asInt()).isEqualTo(1);
            assertThat(body.get("durationMs").asLong()).isNotNegative();
            assertThat(body.get("skipped").size()).isEqualTo(1);
            JsonNode skipped = body.get("skipped").get(0);
            assertThat(skipped.get("path").asText()).endsWith("notes.gguf");
            assertThat(skipped.get("reason").asText()).isNotBlank();
            assertThat(api.get("/api/models/registry").json().get("models").has("extra-3b-q4_k_m")).isTrue();
        }

        @Test
        @DisplayName("keeps what the user set on models whose files are still there")
        void keepsOverrides() throws Exception {
            api.put("/api/models/" + FAST + "/tier", "{\"tier\": \"powerful\"}");
            api.put("/api/models/" + FAST + "/enabled", "{\"enabled\": true}");

            assertThat(api.post("/api/models/rescan", null).status()).isEqualTo(200);

            JsonNode model = model(FAST);
            assertThat(model.get("tierOverride").asText()).isEqualTo("powerful");
            assertThat(model.get("enabled").asBoolean()).isTrue();
        }
    }

    @Nested
    @DisplayName("a scan path that does not exist")
    class MissingScanPath {
        @Test
        @DisplayName("gives an empty registry, and POST /rescan says so with 200")
        void emptyRegistry(@TempDir Path other) throws Exception {
            try (ApiFixture missing = ApiFixture.withSettings(other,
                    b -> b.set(ConfigKey.SCAN_PATH, other.resolve("nowhere").toString()))) {
                JsonNode registry = missing.api.get("/api/models/registry").json();
                assertThat(registry.get("models").size()).isZero();

                ApiServer.Reply reply = missing.api.post("/api/models/rescan", null);

                assertCommandSuccess(reply, "modelsFound", "skipped", "durationMs");
                assertThat(reply.json().get("scanPathExists").asBoolean()).isFalse();
                assertThat(reply.json().get("modelsFound").asInt()).isZero();
                assertThat(reply.json().get("message").asText()).contains("nowhere").contains("does not exist");
            }
        }
    }

    @Nested
    @DisplayName("GET /api/models/{id}")
    class OneModel {
        @Test
        @DisplayName("answers the model as the registry lists it")
        void found() throws Exception {
            JsonNode model = model(BALANCED);

            assertModel(model);
            assertThat(model).isEqualTo(api.get("/api/models/registry").json().get("models").get(BALANCED));
        }

        @Test
        @DisplayName("answers 404 ModelNotFound naming the id")
        void notFound() throws Exception {
            JsonNode body = assertError(api.get("/api/models/no-such-model"), 404, "ModelNotFound");

            assertThat(body.get("message").asText()).contains("no-such-model");
            assertThat(body.get("details").get("modelId").asText()).isEqualTo("no-such-model");
        }
    }

    @Nested
    @DisplayName("PUT /api/models/{id}/tier")
    class TierOverride {
        @Test
        @DisplayName("sets the override; tier is the effective tier")
        void set() throws Exception {
            ApiServer.Reply reply = api.put("/api/models/" + FAST + "/tier", "{\"tier\": \"powerful\"}");

            assertCommandSuccess(reply, "modelId", "tier", "override");
            assertThat(reply.json().get("modelId").asText()).isEqualTo(FAST);
            assertThat(reply.json().get("tier").asText()).isEqualTo("powerful");
            assertThat(reply.json().get("override").asBoolean()).isTrue();
            JsonNode model = model(FAST);
            assertThat(model.get("tierOverride").asText()).isEqualTo("powerful");
            assertThat(model.get("assignedTier").asText()).isEqualTo("fast");
            assertThat(model.get("effectiveTier").asText()).isEqualTo("powerful");
        }

        @Test
        @DisplayName("clears the override with null; tier falls back to the assigned one")
        void clear() throws Exception {
            api.put("/api/models/" + FAST + "/tier", "{\"tier\": \"powerful\"}");

            ApiServer.Reply reply = api.put("/api/models/" + FAST + "/tier", "{\"tier\": null}");

            assertCommandSuccess(reply, "modelId", "tier", "override");
            assertThat(reply.json().get("tier").asText()).isEqualTo("fast");
            assertThat(reply.json().get("override").asBoolean()).isFalse();
            assertThat(model(FAST).get("tierOverride").isNull()).isTrue();
        }

        @Test
        @DisplayName("refuses an unknown tier with 400 InvalidTier, a wrong type with InvalidRequest, and 404")
        void errors() throws Exception {
            JsonNode invalid = assertError(api.put("/api/models/" + FAST + "/tier", "{\"tier\": \"huge\"}"),
                    400, "InvalidTier");
            assertThat(invalid.get("message").asText()).contains("huge").contains("fast, balanced, powerful");
            assertThat(invalid.get("details").get("tier").asText()).isEqualTo("huge");

            JsonNode wrongType = assertError(api.put("/api/models/" + FAST + "/tier", "{\"tier\": 3}"),
                    400, "InvalidRequest");
            assertThat(wrongType.get("details").get("field").asText()).isEqualTo("tier");

            JsonNode missing = assertError(api.put("/api/models/" + FAST + "/tier", "{}"), 400, "InvalidRequest");
            assertThat(missing.get("message").asText()).contains("tier");
            assertThat(missing.get("details").get("field").asText()).isEqualTo("tier");

            assertError(api.put("/api/models/nope/tier", "{\"tier\": \"fast\"}"), 404, "ModelNotFound");
            assertThat(model(FAST).get("tierOverride").isNull()).isTrue();
        }
    }

    @Nested
    @DisplayName("PUT /api/models/{id}/thinking")
    class ThinkingOverride {
        @Test
        @DisplayName("sets the override, then clears it with null")
        void setAndClear() throws Exception {
            ApiServer.Reply set = api.put("/api/models/" + POWERFUL + "/thinking", "{\"thinking\": true}");

            assertCommandSuccess(set, "modelId", "thinking", "override");
            assertThat(set.json().get("thinking").asBoolean()).isTrue();
            assertThat(set.json().get("override").asBoolean()).isTrue();
            assertThat(model(POWERFUL).get("thinkingOverride").asBoolean()).isTrue();

            ApiServer.Reply cleared = api.put("/api/models/" + POWERFUL + "/thinking", "{\"thinking\": null}");

            assertCommandSuccess(cleared, "modelId", "thinking", "override");
            assertThat(cleared.json().get("thinking").asBoolean()).isFalse();
            assertThat(cleared.json().get("override").asBoolean()).isFalse();
            assertThat(model(POWERFUL).get("thinkingOverride").isNull()).isTrue();
        }

        @Test
        @DisplayName("refuses a value that is not a boolean with 400 InvalidRequest naming the field")
        void wrongType() throws Exception {
            JsonNode body = assertError(api.put("/api/models/" + POWERFUL + "/thinking", "{\"thinking\": \"yes\"}"),
                    400, "InvalidRequest");

            assertThat(body.get("details").get("field").asText()).isEqualTo("thinking");
            assertError(api.put("/api/models/nope/thinking", "{\"thinking\": true}"), 404, "ModelNotFound");
        }
    }

    @Nested
    @DisplayName("PUT /api/models/{id}/enabled")
    class Enabled {
        @Test
        @DisplayName("enables a model, which then holds a port of the range, and disables it")
        void enableAndDisable() throws Exception {
            ApiServer.Reply enabled = api.put("/api/models/" + FAST + "/enabled", "{\"enabled\": true}");

            assertCommandSuccess(enabled, "modelId", "enabled");
            assertThat(enabled.json().get("enabled").asBoolean()).isTrue();
            assertThat(model(FAST).get("enabled").asBoolean()).isTrue();
            assertThat(model(FAST).get("port").asInt()).isBetween(8080, 8099);

            ApiServer.Reply disabled = api.put("/api/models/" + FAST + "/enabled", "{\"enabled\": false}");

            assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
            assertThat(model(FAST).get("enabled").asBoolean()).isFalse();
        }

        @Test
        @DisplayName("refuses a wrong type, null or a missing field with 400 InvalidRequest, and 404")
        void errors() throws Exception {
            for (String body : List.of("{\"enabled\": \"yes\"}", "{\"enabled\": null}", "{\"enabled\": 1}", "{}")) {
                JsonNode error = assertError(api.put("/api/models/" + FAST + "/enabled", body), 400, "InvalidRequest");
                assertThat(error.get("details").get("field").asText()).as(body).isEqualTo("enabled");
            }
            assertError(api.put("/api/models/nope/enabled", "{\"enabled\": true}"), 404, "ModelNotFound");
            assertThat(model(FAST).get("enabled").asBoolean()).isFalse();
        }
    }

    @Nested
    @DisplayName("PUT /api/models/{id}/port")
    class Port {
        @Test
        @DisplayName("pins the model to the port")
        void set() throws Exception {
            ApiServer.Reply reply = api.put("/api/models/" + FAST + "/port", "{\"port\": 8085}");

            assertCommandSuccess(reply, "modelId", "port", "restartRequired");
            assertThat(reply.json().get("port").asInt()).isEqualTo(8085);
            assertThat(reply.json().get("restartRequired").asBoolean()).isFalse();
            assertThat(model(FAST).get("port").asInt()).isEqualTo(8085);
        }

        @Test
        @DisplayName("refuses a port outside 1024-65535 with 400 PortOutOfRange")
        void outOfRange() throws Exception {
            for (int port : new int[]{80, 1023, 65536, 70000, -1}) {
                JsonNode body = assertError(api.put("/api/models/" + FAST + "/port", "{\"port\": " + port + "}"),
                        400, "PortOutOfRange");
                assertThat(body.get("message").asText()).contains(Integer.toString(port)).contains("1024-65535");
                assertThat(body.get("details").get("port").asInt()).isEqualTo(port);
            }
            assertThat(model(FAST).get("port").isNull()).isTrue();
        }

        @Test
        @DisplayName("refuses a port another model holds with 409 PortInUse naming that model")
        void inUse() throws Exception {
            api.put("/api/models/" + BALANCED + "/port", "{\"port\": 8085}");

            JsonNode body = assertError(api.put("/api/models/" + FAST + "/port", "{\"port\": 8085}"),
                    409, "PortInUse");

            assertThat(body.get("message").asText()).contains("8085").contains(BALANCED);
            assertThat(body.get("details").get("modelId").asText()).isEqualTo(BALANCED);
            assertThat(body.get("details").get("port").asInt()).isEqualTo(8085);
            assertThat(model(FAST).get("port").isNull()).isTrue();
        }

        @Test
        @DisplayName("refuses a port that is not a whole number with 400 InvalidRequest, and 404")
        void wrongType() throws Exception {
            for (String body : List.of("{\"port\": \"8085\"}", "{\"port\": 8085.5}", "{\"port\": 99999999999}", "{}")) {
                JsonNode error = assertError(api.put("/api/models/" + FAST + "/port", body), 400, "InvalidRequest");
                assertThat(error.get("details").get("field").asText()).as(body).isEqualTo("port");
            }
            assertError(api.put("/api/models/nope/port", "{\"port\": 8085}"), 404, "ModelNotFound");
        }
    }

    @Nested
    @DisplayName("PUT /api/models/{id}/aliases")
    class Aliases {
        String path = "/api/models/" + FAST + "/aliases";

        @Test
        @DisplayName("answers the model with its aliases, replaced, kept across a rescan, and cleared by []")
        void setAndKeep() throws Exception {
            ApiServer.Reply set = api.put(path, "{\"aliases\": [\"gpt-4o-mini\", \"org/model:latest\"]}");
            assertThat(set.status()).as(set.raw().body()).isEqualTo(200);
            assertModel(set.json());
            assertThat(set.json().get("aliases")).hasSize(2);
            assertThat(set.json().get("aliases").get(0).asText()).isEqualTo("gpt-4o-mini");

            assertThat(api.post("/api/models/rescan", null).status()).isEqualTo(200);
            assertThat(model(FAST).get("aliases").get(1).asText()).isEqualTo("org/model:latest");

            assertThat(api.put(path, "{\"aliases\": []}").json().get("aliases")).isEmpty();
            assertThat(api.put(path, "{\"aliases\": null}").json().get("aliases")).isEmpty();
        }

        @Test
        @DisplayName("refuses a tier name, auto, a model id, another model's alias, a space or a wrong type with 400"
                + " InvalidRequest naming the alias, changing nothing")
        void refusals() throws Exception {
            api.put(path, "{\"aliases\": [\"mine\"]}");
            api.put("/api/models/" + BALANCED + "/aliases", "{\"aliases\": [\"taken\"]}");
            String[][] cases = {{"[\"Fast\"]", "'Fast'"}, {"[\"auto\"]", "'auto'"},
                {"[\"" + POWERFUL + "\"]", "is a model id"}, {"[\"taken\"]", "already an alias of " + BALANCED},
                {"[\"two words\"]", "'two words'"}, {"[\"ok\", 3]", "aliases"}, {"\"gpt\"", "aliases"}};
            for (String[] refused : cases) {
                JsonNode error = assertError(api.put(path, "{\"aliases\": " + refused[0] + "}"), 400,
                        "InvalidRequest");
                assertThat(error.get("message").asText()).as(refused[0]).contains(refused[1]);
                assertThat(error.get("details").get("field").asText()).isEqualTo("aliases");
            }
            assertError(api.put(path, "{}"), 400, "InvalidRequest");
            assertThat(model(FAST).get("aliases")).hasSize(1);
            assertThat(model(FAST).get("aliases").get(0).asText()).isEqualTo("mine");
            assertError(api.put("/api/models/nope/aliases", "{\"aliases\": []}"), 404, "ModelNotFound");
        }
    }

    @Nested
    @DisplayName("PUT /api/models/{id}/runtime-settings")
    class RuntimeSettings {
        String path = "/api/models/" + FAST + "/runtime-settings";

        @Test
        @DisplayName("answers the model; an absent key keeps its value, null clears it")
        void patch() throws Exception {
            ApiServer.Reply first = api.put(path, "{\"nGpuLayers\": 99, \"ctxSize\": 8192}");

            assertThat(first.status()).as(first.raw().body()).isEqualTo(200);
            assertModel(first.json());
            assertThat(first.json().get("nGpuLayers").asInt()).isEqualTo(99);
            assertThat(first.json().get("ctxSize").asInt()).isEqualTo(8192);

            JsonNode second = api.put(path, "{\"nThreads\": 4, \"batchSize\": 512}").json();
            assertThat(second.get("nGpuLayers").asInt()).isEqualTo(99);
            assertThat(second.get("ctxSize").asInt()).isEqualTo(8192);
            assertThat(second.get("nThreads").asInt()).isEqualTo(4);
            assertThat(second.get("batchSize").asInt()).isEqualTo(512);

            JsonNode third = api.put(path, "{\"ctxSize\": null}").json();
            assertThat(third.get("ctxSize").isNull()).isTrue();
            assertThat(third.get("nGpuLayers").asInt()).isEqualTo(99);
            assertThat(model(FAST)).isEqualTo(third);
        }

        @Test
        @DisplayName("refuses an unknown setting or a wrong type with 400 InvalidRequest naming the field, changing nothing")
        void errors() throws Exception {
            api.put(path, "{\"ctxSize\": 4096}");

            JsonNode unknown = assertError(api.put(path, "{\"ctxSize\": 2048, \"flashAttention\": true}"),
                    400, "InvalidRequest");
            assertThat(unknown.get("message").asText()).contains("flashAttention");
            assertThat(unknown.get("details").get("field").asText()).isEqualTo("flashAttention");

            JsonNode wrongType = assertError(api.put(path, "{\"nThreads\": 2, \"ctxSize\": \"big\"}"),
                    400, "InvalidRequest");
            assertThat(wrongType.get("message").asText()).contains("ctxSize");
            assertThat(wrongType.get("details").get("field").asText()).isEqualTo("ctxSize");

            assertThat(model(FAST).get("ctxSize").asInt()).isEqualTo(4096);
            assertThat(model(FAST).get("nThreads").isNull()).isTrue();
            assertError(api.put("/api/models/nope/runtime-settings", "{}"), 404, "ModelNotFound");
        }

        @Test
        @DisplayName("sets ttlSeconds (0 = never); an absent key keeps it, null follows --idle-ttl again")
        void ttlSeconds() throws Exception {
            assertThat(model(FAST).get("ttlSeconds").isNull()).isTrue();

            ApiServer.Reply set = api.put(path, "{\"ttlSeconds\": 0}");
            assertThat(set.status()).as(set.raw().body()).isEqualTo(200);
            assertThat(set.json().get("ttlSeconds").isIntegralNumber()).isTrue();
            assertThat(set.json().get("ttlSeconds").asInt()).isZero();

            JsonNode kept = api.put(path, "{\"ctxSize\": 2048}").json();
            assertThat(kept.get("ttlSeconds").asInt()).isZero();
            assertThat(api.put(path, "{\"ttlSeconds\": 600}").json().get("ttlSeconds").asInt()).isEqualTo(600);
            assertThat(api.get("/api/models/registry").json().get("models").get(FAST).get("ttlSeconds").asInt())
                    .isEqualTo(600);

            JsonNode cleared = api.put(path, "{\"ttlSeconds\": null}").json();
            assertThat(cleared.get("ttlSeconds").isNull()).isTrue();
            assertThat(cleared.get("ctxSize").asInt()).isEqualTo(2048);
        }

        @Test
        @DisplayName("refuses a negative, fractional or textual ttlSeconds with 400 naming it, changing nothing")
        void badTtlSeconds() throws Exception {
            JsonNode before = api.put(path, "{\"ttlSeconds\": 30}").json();
            for (String value : List.of("-1", "1.5", "\"60\"", "true", "[]", "99999999999")) {
                JsonNode error = assertError(api.put(path, "{\"ctxSize\": 1024, \"ttlSeconds\": " + value + "}"),
                        400, "InvalidRequest");
                assertThat(error.get("message").asText()).as(value).contains("ttlSeconds");
                assertThat(error.get("details").get("field").asText()).as(value).isEqualTo("ttlSeconds");
            }
            assertThat(model(FAST)).isEqualTo(before);
        }

        @Test
        @DisplayName("sets gpus and cpus (0 GPUs allowed); an absent key keeps them, null returns to the defaults")
        void gpusAndCpus() throws Exception {
            assertThat(model(FAST).get("gpus").isNull()).isTrue();
            assertThat(model(FAST).get("cpus").isNull()).isTrue();

            ApiServer.Reply set = api.put(path, "{\"gpus\": 2, \"cpus\": 8}");
            assertThat(set.status()).as(set.raw().body()).isEqualTo(200);
            assertThat(set.json().get("gpus").isIntegralNumber()).isTrue();
            assertThat(set.json().get("gpus").asInt()).isEqualTo(2);
            assertThat(set.json().get("cpus").asInt()).isEqualTo(8);

            JsonNode kept = api.put(path, "{\"gpus\": 0}").json();
            assertThat(kept.get("gpus").asInt()).isZero();
            assertThat(kept.get("cpus").asInt()).isEqualTo(8);
            JsonNode listed = api.get("/api/models/registry").json().get("models").get(FAST);
            assertThat(listed.get("gpus").asInt()).isZero();
            assertThat(listed.get("cpus").asInt()).isEqualTo(8);

            JsonNode cleared = api.put(path, "{\"gpus\": null, \"cpus\": null}").json();
            assertThat(cleared.get("gpus").isNull()).isTrue();
            assertThat(cleared.get("cpus").isNull()).isTrue();
        }

        @Test
        @DisplayName("refuses a negative gpus, a cpus below 1 and non-integers with 400 naming the field, changing"
                + " nothing")
        void badGpusAndCpus() throws Exception {
            JsonNode before = api.put(path, "{\"gpus\": 1, \"cpus\": 2}").json();
            Map<String, List<String>> bad = Map.of("gpus", List.of("-1", "1.5", "\"2\"", "true", "[]", "99999999999"),
                    "cpus", List.of("0", "-1", "2.5", "\"4\"", "false", "{}"));
            for (Map.Entry<String, List<String>> field : bad.entrySet()) {
                for (String value : field.getValue()) {
                    JsonNode error = assertError(api.put(path, "{\"ctxSize\": 1024, \"" + field.getKey() + "\": "
                            + value + "}"), 400, "InvalidRequest");
                    assertThat(error.get("message").asText()).as(value).contains(field.getKey());
                    assertThat(error.get("details").get("field").asText()).as(value).isEqualTo(field.getKey());
                }
            }
            assertThat(model(FAST)).isEqualTo(before);
        }

        @Test
        @DisplayName("sets extra arguments in order and variables; an absent key keeps them, null clears them")
        void extraArgsAndEnv() throws Exception {
            ApiServer.Reply set = api.put(path, "{\"extraArgs\": [\"--jinja\", \"--cache-type-k\", \"q8_0\","
                    + " \"--chat-template-file\", \"/t/with space.jinja\"],"
                    + " \"env\": {\"CUDA_VISIBLE_DEVICES\": \"0,1\", \"HF_HOME\": \"/ü\"}}");

            assertThat(set.status()).as(set.raw().body()).isEqualTo(200);
            assertModel(set.json());
            assertThat(set.json().get("extraArgs").toString())
                    .isEqualTo("[\"--jinja\",\"--cache-type-k\",\"q8_0\",\"--chat-template-file\",\"/t/with space.jinja\"]");
            assertThat(set.json().get("env").toString()).isEqualTo("{\"CUDA_VISIBLE_DEVICES\":\"0,1\",\"HF_HOME\":\"/ü\"}");

            JsonNode kept = api.put(path, "{\"ctxSize\": 2048}").json();
            assertThat(kept.get("extraArgs")).isEqualTo(set.json().get("extraArgs"));
            assertThat(kept.get("env")).isEqualTo(set.json().get("env"));
            assertThat(api.get("/api/models/registry").json().get("models").get(FAST).get("extraArgs"))
                    .isEqualTo(set.json().get("extraArgs"));

            JsonNode argsCleared = api.put(path, "{\"extraArgs\": null}").json();
            assertThat(argsCleared.get("extraArgs").toString()).isEqualTo("[]");
            assertThat(argsCleared.get("env")).isEqualTo(set.json().get("env"));
            JsonNode envCleared = api.put(path, "{\"env\": null}").json();
            assertThat(envCleared.get("env").toString()).isEqualTo("{}");
            assertThat(envCleared.get("ctxSize").asInt()).isEqualTo(2048);
            assertThat(model(FAST)).isEqualTo(envCleared);
        }

        @Test
        @DisplayName("refuses every flag MAGI sets, in every spelling and as --flag=value, naming it, changing nothing")
        void ownedFlags() throws Exception {
            JsonNode before = api.put(path, "{\"extraArgs\": [\"--jinja\"], \"env\": {\"A\": \"1\"}}").json();
            List<String> owned = List.of("--model", "-m", "--host", "--port", "--alias", "-a", "--ctx-size", "-c",
                    "--n-gpu-layers", "-ngl", "--gpu-layers", "--threads", "-t", "--batch-size", "-b", "--mmproj",
                    "-mm", "--port=9000", "--ctx-size=4096", "-ngl=99", "--model=/elsewhere.gguf");

            for (String argument : owned) {
                String flag = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
                JsonNode error = assertError(api.put(path,
                        "{\"ctxSize\": 1024, \"extraArgs\": [\"--jinja\", \"" + argument + "\", \"1\"]}"),
                        400, "InvalidRequest");
                assertThat(error.get("message").asText()).as(argument).contains("'" + flag + "'");
                assertThat(error.get("details").get("field").asText()).as(argument).isEqualTo("extraArgs");
                assertThat(error.get("details").get("flag").asText()).as(argument).isEqualTo(flag);
            }
            assertThat(model(FAST)).isEqualTo(before);
        }

        @Test
        @DisplayName("refuses variables MAGI sets and names that are not variable names, naming env")
        void ownedAndBadVariables() throws Exception {
            JsonNode before = model(FAST);
            for (String name : List.of("LLAMA_ARG_MODEL", "LLAMA_ARG_HOST", "LLAMA_ARG_PORT", "LLAMA_ARG_ALIAS",
                    "LLAMA_ARG_CTX_SIZE", "LLAMA_ARG_N_GPU_LAYERS", "LLAMA_ARG_THREADS", "LLAMA_ARG_BATCH",
                    "LLAMA_ARG_MMPROJ")) {
                JsonNode error = assertError(api.put(path, "{\"env\": {\"" + name + "\": \"x\"}}"),
                        400, "InvalidRequest");
                assertThat(error.get("message").asText()).as(name).contains("'" + name + "'");
                assertThat(error.get("details").get("field").asText()).as(name).isEqualTo("env");
            }
            for (String name : List.of("", "1A", "A-B", "A=B", "A B")) {
                JsonNode error = assertError(api.put(path, "{\"env\": {\"" + name + "\": \"x\"}}"),
                        400, "InvalidRequest");
                assertThat(error.get("message").asText()).as(name).contains("not a variable name");
                assertThat(error.get("details").get("field").asText()).as(name).isEqualTo("env");
            }
            assertThat(model(FAST)).isEqualTo(before);
        }

        @Test
        @DisplayName("refuses wrong JSON types, control characters and oversized lists, naming the field")
        void wrongShapes() throws Exception {
            JsonNode before = model(FAST);
            Map<String, String> bodies = new LinkedHashMap<>();
            bodies.put("{\"extraArgs\": \"--jinja\"}", "extraArgs");
            bodies.put("{\"extraArgs\": [\"--jinja\", 3]}", "extraArgs");
            bodies.put("{\"extraArgs\": [null]}", "extraArgs");
            bodies.put("{\"extraArgs\": {\"a\": \"b\"}}", "extraArgs");
            bodies.put("{\"extraArgs\": [\"a\\u0000b\"]}", "extraArgs");
            bodies.put("{\"extraArgs\": [\"line\\nbreak\"]}", "extraArgs");
            bodies.put("{\"extraArgs\": [\"" + "x".repeat(4097) + "\"]}", "extraArgs");
            bodies.put("{\"extraArgs\": [" + String.join(",", Collections.nCopies(65, "\"-v\"")) + "]}",
                    "extraArgs");
            bodies.put("{\"env\": [\"A=1\"]}", "env");
            bodies.put("{\"env\": \"A=1\"}", "env");
            bodies.put("{\"env\": {\"A\": 1}}", "env");
            bodies.put("{\"env\": {\"A\": null}}", "env");
            bodies.put("{\"env\": {\"A\": \"x\\u0000y\"}}", "env");
            for (Map.Entry<String, String> body : bodies.entrySet()) {
                JsonNode error = assertError(api.put(path, body.getKey()), 400, "InvalidRequest");
                assertThat(error.get("details").get("field").asText()).as(body.getKey()).isEqualTo(body.getValue());
                assertThat(error.get("message").asText()).as(body.getKey()).contains(body.getValue());
            }
            assertThat(model(FAST)).isEqualTo(before);
        }
    }

    @Nested
    @DisplayName("PUT /api/models/port-range")
    class PortRange {
        @Test
        @DisplayName("sets the range; models holding a port from the old one get one from the new")
        void set() throws Exception {
            api.put("/api/models/" + FAST + "/enabled", "{\"enabled\": true}");

            ApiServer.Reply reply = api.put("/api/models/port-range", "{\"start\": 9000, \"end\": 9010}");

            assertCommandSuccess(reply, "portRange");
            assertThat(reply.json().get("portRange").toString()).isEqualTo("[9000,9010]");
            assertThat(api.get("/api/models/registry").json().get("portRange").toString()).isEqualTo("[9000,9010]");
            assertThat(model(FAST).get("port").asInt()).isBetween(9000, 9010);
        }

        @Test
        @DisplayName("refuses a range that is reversed, below 1024, above 65535 or incomplete with 400 InvalidPortRange")
        void invalid() throws Exception {
            for (String body : List.of("{\"start\": 9010, \"end\": 9000}", "{\"start\": 80, \"end\": 90}",
                    "{\"start\": 65000, \"end\": 70000}", "{\"start\": 9000}", "{\"start\": \"a\", \"end\": 9000}")) {
                JsonNode error = assertError(api.put("/api/models/port-range", body), 400, "InvalidPortRange");
                assertThat(error.get("message").asText()).as(body).isNotBlank();
            }
            assertThat(api.get("/api/models/registry").json().get("portRange").toString()).isEqualTo("[8080,8099]");
        }
    }

    @Nested
    @DisplayName("PUT /api/models/tier-thresholds")
    class TierThresholds {
        @Test
        @DisplayName("answers the new thresholds and classifies every model again, keeping overrides")
        void set() throws Exception {
            api.put("/api/models/" + BALANCED + "/tier", "{\"tier\": \"powerful\"}");

            ApiServer.Reply reply = api.put("/api/models/tier-thresholds", "{\"powerful_min\": 40, \"fast_max\": 10}");

            assertCommandSuccess(reply, "powerful_min", "fast_max");
            assertThat(reply.json().get("powerful_min").asDouble()).isEqualTo(40);
            assertThat(reply.json().get("fast_max").asDouble()).isEqualTo(10);
            JsonNode registry = api.get("/api/models/registry").json();
            assertThat(registry.get("tierThresholds").get("powerful_min").asDouble()).isEqualTo(40);
            JsonNode models = registry.get("models");
            assertThat(models.get(FAST).get("assignedTier").asText()).isEqualTo("fast");
            assertThat(models.get(BALANCED).get("assignedTier").asText()).isEqualTo("fast");
            assertThat(models.get(BALANCED).get("effectiveTier").asText()).isEqualTo("powerful");
            assertThat(models.get(POWERFUL).get("assignedTier").asText()).isEqualTo("balanced");
        }

        @Test
        @DisplayName("refuses inconsistent, negative or non-numeric thresholds with 400 InvalidRequest")
        void invalid() throws Exception {
            for (String body : List.of("{\"powerful_min\": 5, \"fast_max\": 10}", "{\"fast_max\": -1}",
                    "{\"powerful_min\": \"big\"}", "{}", "{\"powerful_min\": null}")) {
                assertError(api.put("/api/models/tier-thresholds", body), 400, "InvalidRequest");
            }
            assertThat(model(BALANCED).get("assignedTier").asText()).isEqualTo("balanced");
        }
    }

    @Nested
    @DisplayName("POST /api/models/enable-all and /disable-all")
    class AllModels {
        @Test
        @DisplayName("change every model and count the ones that changed")
        void enableAndDisable() throws Exception {
            api.put("/api/models/" + FAST + "/enabled", "{\"enabled\": true}");

            ApiServer.Reply enabled = api.post("/api/models/enable-all", null);

            assertCommandSuccess(enabled, "modelsUpdated", "enabled");
            assertThat(enabled.json().get("modelsUpdated").asInt()).isEqualTo(2);
            assertThat(enabled.json().get("enabled").asBoolean()).isTrue();
            JsonNode models = api.get("/api/models/registry").json().get("models");
            List<Integer> ports = new ArrayList<>();
            models.forEach(m -> {
                assertThat(m.get("enabled").asBoolean()).isTrue();
                ports.add(m.get("port").asInt());
            });
            assertThat(ports).doesNotHaveDuplicates().allMatch(p -> p >= 8080 && p <= 8099);

            ApiServer.Reply disabled = api.post("/api/models/disable-all", null);

            assertCommandSuccess(disabled, "modelsUpdated", "enabled");
            assertThat(disabled.json().get("modelsUpdated").asInt()).isEqualTo(3);
            assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
            assertThat(api.post("/api/models/disable-all", null).json().get("modelsUpdated").asInt()).isZero();
        }
    }

    @Nested
    @DisplayName("GET /api/models/tiers/{tier}")
    class ByTier {
        @Test
        @DisplayName("lists the models of an effective tier")
        void list() throws Exception {
            api.put("/api/models/" + FAST + "/tier", "{\"tier\": \"powerful\"}");

            ApiServer.Reply reply = api.get("/api/models/tiers/powerful");

            assertThat(reply.status()).isEqualTo(200);
            List<String> ids = new ArrayList<>();
            reply.json().forEach(m -> {
                assertModel(m);
                ids.add(m.get("modelId").asText());
            });
            assertThat(ids).containsExactlyInAnyOrder(FAST, POWERFUL);
            assertThat(api.get("/api/models/tiers/fast").json().size()).isZero();
            assertThat(api.get("/api/models/tiers/balanced").json().get(0).get("modelId").asText()).isEqualTo(BALANCED);
        }

        @Test
        @DisplayName("refuses an unknown tier with 400 InvalidTier")
        void unknown() throws Exception {
            JsonNode body = assertError(api.get("/api/models/tiers/huge"), 400, "InvalidTier");

            assertThat(body.get("details").get("tier").asText()).isEqualTo("huge");
        }
    }

    @Nested
    @DisplayName("under concurrent requests")
    class Concurrency {
        @Test
        @DisplayName("20 parallel tier changes on different models all land")
        void parallelTierChanges() throws Exception {
            for (int i = 0; i < 17; i++) {
                ApiFixture.writeModel(magi.models.resolve("Extra-" + i + "-2B-Q4_K_M.gguf"), "llama", 2);
            }
            assertThat(api.post("/api/models/rescan", null).json().get("modelsFound").asInt()).isEqualTo(20);
            List<String> ids = new ArrayList<>();
            api.get("/api/models/registry").json().get("models").fieldNames().forEachRemaining(ids::add);
            String[] tiers = {"fast", "balanced", "powerful"};
            Map<String, String> wanted = new LinkedHashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                wanted.put(ids.get(i), tiers[i % 3]);
            }

            ExecutorService pool = Executors.newFixedThreadPool(20);
            try {
                List<Future<Integer>> replies = new ArrayList<>();
                for (Map.Entry<String, String> entry : wanted.entrySet()) {
                    Callable<Integer> put = () -> api.put("/api/models/" + entry.getKey() + "/tier",
                            "{\"tier\": \"" + entry.getValue() + "\"}").status();
                    replies.add(pool.submit(put));
                }
                for (Future<Integer> reply : replies) {
                    assertThat(reply.get()).isEqualTo(200);
                }
            } finally {
                pool.shutdownNow();
            }

            JsonNode models = api.get("/api/models/registry").json().get("models");
            for (Map.Entry<String, String> entry : wanted.entrySet()) {
                assertThat(models.get(entry.getKey()).get("tierOverride").asText()).as(entry.getKey())
                        .isEqualTo(entry.getValue());
            }
            // And on disk, as a restart would see them.
            JsonNode saved = new ObjectMapper()
                    .readTree(magi.root.resolve("data/model_registry.json").toFile()).get("models");
            for (Map.Entry<String, String> entry : wanted.entrySet()) {
                assertThat(saved.get(entry.getKey()).get("tierOverride").asText()).isEqualTo(entry.getValue());
            }
        }
    }
}
