package dev.magi.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.magi.jaxrs.ApiFixture.BALANCED;
import static dev.magi.jaxrs.ApiFixture.FAST;
import static dev.magi.jaxrs.ApiFixture.assertError;
import static dev.magi.jaxrs.ApiFixture.assertNoInternals;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The profiles API over HTTP")
class ProfilesApiTest {
    static final String PROFILES = "/api/models/profiles";
    static final ObjectMapper JSON = new ObjectMapper();

    /** The fixture lives one level down, so that a name escaping its directories would land here. */
    @TempDir
    Path outside;
    ApiFixture magi;
    ApiServer api;

    @BeforeEach
    void start() throws Exception {
        magi = ApiFixture.start(outside.resolve("magi"));
        api = magi.api;
    }

    @AfterEach
    void stop() throws Exception {
        magi.close();
    }

    ApiServer.Reply create(String json) throws Exception {
        return api.post(PROFILES, json);
    }

    static String profile(String name, String... models) throws Exception {
        return JSON.writeValueAsString(Map.of("name", name, "description", "The " + name + " profile",
                "enabledModels", List.of(models)));
    }

    /** A profile of {@code count} short model ids: compact as JSON, a line each as YAML. */
    static String manyModels(String name, int count) throws Exception {
        List<String> models = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            models.add("m" + Integer.toString(i, 36));
        }
        return JSON.writeValueAsString(Map.of("name", name, "enabledModels", models));
    }

    static void assertSaved(ApiServer.Reply reply, int status, String name) {
        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(status);
        JsonNode body = reply.json();
        assertThat(body.get("message").asText()).contains(name);
        assertThat(body.get("profileName").asText()).isEqualTo(name);
        assertThat(body.get("unknownModels").isArray()).isTrue();
        assertThat(Instant.parse(body.get("timestamp").asText())).isNotNull();
    }

    @Nested
    @DisplayName("listing and reading")
    class Reading {
        @Test
        @DisplayName("GET /profiles lists the names sorted")
        void list() throws Exception {
            assertThat(api.get(PROFILES).json().size()).isZero();
            for (String name : List.of("zeta", "alpha", "mid-2")) {
                assertThat(create(profile(name)).status()).isEqualTo(201);
            }

            ApiServer.Reply reply = api.get(PROFILES);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().toString()).isEqualTo("[\"alpha\",\"mid-2\",\"zeta\"]");
        }

        @Test
        @DisplayName("GET /profiles/active answers a null name when none is active, else the name")
        void active() throws Exception {
            ApiServer.Reply none = api.get(PROFILES + "/active");

            assertThat(none.status()).isEqualTo(200);
            assertThat(none.json().has("profileName")).isTrue();
            assertThat(none.json().get("profileName").isNull()).isTrue();

            create(profile("dev"));
            magi.engine.store().saveActiveProfile("dev");
            assertThat(api.get(PROFILES + "/active").json().get("profileName").asText()).isEqualTo("dev");
        }

        @Test
        @DisplayName("GET /profiles/{name} answers the profile with every section, defaults filled in")
        void get() throws Exception {
            create(profile("dev", FAST));

            ApiServer.Reply reply = api.get(PROFILES + "/dev");

            assertThat(reply.status()).isEqualTo(200);
            JsonNode expected = JSON.readTree("""
                    {"name": "dev", "description": "The dev profile", "enabledModels": ["%s"],
                     "tierConfig": [{"name": "fast", "maxScore": 3, "expectedTimeSeconds": 2},
                                    {"name": "balanced", "maxScore": 7, "expectedTimeSeconds": 5},
                                    {"name": "powerful", "maxScore": null, "expectedTimeSeconds": 15}],
                     "twoStage": {"enabled": false, "stage1Tier": "balanced", "stage2Tier": "powerful",
                                  "stage1MaxTokens": 500},
                     "loadBalancing": {"enabled": true, "strategy": "round_robin", "healthCheckInterval": 30}}
                    """.formatted(FAST));
            assertThat(reply.json()).isEqualTo(expected);
        }

        @Test
        @DisplayName("GET /profiles/{name} of an unknown profile is 404 ProfileNotFound")
        void notFound() throws Exception {
            JsonNode error = assertError(api.get(PROFILES + "/ghost"), 404, "ProfileNotFound");

            assertThat(error.get("message").asText()).contains("ghost");
            assertThat(error.get("details").get("profileName").asText()).isEqualTo("ghost");
        }

        @Test
        @DisplayName("a file in the original project's layout is read")
        void originalLayout() throws Exception {
            Files.createDirectories(magi.profiles);
            Files.writeString(magi.profiles.resolve("legacy.yaml"), """
                    profile:
                      name: legacy
                      description: From the Python days
                    enabled_models:
                      - %s
                    tiers:
                      - name: fast
                        max_score: 2.5
                        expected_time_seconds: 1
                    load_balancing:
                      strategy: least_loaded
                    """.formatted(FAST));

            JsonNode legacy = api.get(PROFILES + "/legacy").json();

            assertThat(legacy.get("description").asText()).isEqualTo("From the Python days");
            assertThat(legacy.get("enabledModels").get(0).asText()).isEqualTo(FAST);
            assertThat(legacy.get("tierConfig").get(0).get("maxScore").asDouble()).isEqualTo(2.5);
            assertThat(legacy.get("loadBalancing").get("strategy").asText()).isEqualTo("least_loaded");
        }
    }

    @Nested
    @DisplayName("POST /profiles")
    class Create {
        @Test
        @DisplayName("answers 201 with a Location, the name and the models the registry does not hold")
        void created() throws Exception {
            ApiServer.Reply reply = create(profile("dev", FAST, "ghost-model"));

            assertSaved(reply, 201, "dev");
            assertThat(reply.json().get("unknownModels").toString()).isEqualTo("[\"ghost-model\"]");
            assertThat(reply.header("Location")).isEqualTo(api.uri(PROFILES + "/dev").toString());
            assertThat(api.get(reply.header("Location").substring(api.uri("").toString().length())).status())
                    .isEqualTo(200);
            assertThat(magi.profiles.resolve("dev.yaml")).isRegularFile();
        }

        @Test
        @DisplayName("refuses the name 'active', which GET /profiles/active would shadow")
        void reservedName() throws Exception {
            assertError(create(profile("active", FAST)), 400, "InvalidProfileName");
            assertThat(magi.profiles.resolve("active.yaml")).doesNotExist();
        }

        @Test
        @DisplayName("reads back exactly what was sent, unbounded maxScore as null")
        void roundTrip() throws Exception {
            String full = """
                    {"name": "full", "description": null, "enabledModels": ["%s", "%s"],
                     "tierConfig": [{"name": "fast", "maxScore": 2.5, "expectedTimeSeconds": 1},
                                    {"name": "powerful", "maxScore": null, "expectedTimeSeconds": 20}],
                     "twoStage": {"enabled": true, "stage1Tier": "fast", "stage2Tier": "powerful",
                                  "stage1MaxTokens": 256},
                     "loadBalancing": {"enabled": false, "strategy": "random", "healthCheckInterval": 5}}
                    """.formatted(FAST, BALANCED);

            assertSaved(create(full), 201, "full");

            assertThat(api.get(PROFILES + "/full").json()).isEqualTo(JSON.readTree(full));
        }

        @Test
        @DisplayName("refuses a name that is taken with 409 ProfileExists, keeping the old profile")
        void exists() throws Exception {
            create(profile("dev", FAST));

            JsonNode error = assertError(create(profile("dev", BALANCED)), 409, "ProfileExists");

            assertThat(error.get("details").get("profileName").asText()).isEqualTo("dev");
            assertThat(api.get(PROFILES + "/dev").json().get("enabledModels").get(0).asText()).isEqualTo(FAST);
        }

        @Test
        @DisplayName("refuses a body without a name with 400 InvalidProfile")
        void noName() throws Exception {
            JsonNode error = assertError(create("{\"description\": \"nameless\"}"), 400, "InvalidProfile");

            assertThat(error.get("details").get("field").asText()).isEqualTo("name");
        }

        @Test
        @DisplayName("refuses an unknown strategy with 400 InvalidProfile listing the known ones")
        void unknownStrategy() throws Exception {
            JsonNode error = assertError(create("{\"name\": \"odd\", \"loadBalancing\": {\"strategy\": \"fastest\"}}"),
                    400, "InvalidProfile");

            assertThat(error.get("message").asText()).contains("fastest").contains("round_robin")
                    .contains("least_loaded").contains("random");
            assertThat(error.get("details").get("field").asText()).isEqualTo("loadBalancing.strategy");
            assertThat(api.get(PROFILES).json().size()).isZero();
        }

        @Test
        @DisplayName("refuses an unknown tier name with 400 InvalidProfile, in tierConfig and in twoStage")
        void unknownTier() throws Exception {
            JsonNode tierConfig = assertError(create(
                    "{\"name\": \"odd\", \"tierConfig\": [{\"name\": \"turbo\", \"maxScore\": 3}]}"),
                    400, "InvalidProfile");
            assertThat(tierConfig.get("message").asText()).contains("turbo").contains("fast");

            JsonNode twoStage = assertError(create(
                    "{\"name\": \"odd\", \"twoStage\": {\"stage1Tier\": \"quick\"}}"), 400, "InvalidProfile");
            assertThat(twoStage.get("message").asText()).contains("quick");
            assertThat(twoStage.get("details").get("field").asText()).isEqualTo("twoStage.stage1Tier");
            assertThat(api.get(PROFILES).json().size()).isZero();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
                "{\"name\": 5}",
                "{\"name\": \"odd\", \"description\": 5}",
                "{\"name\": \"odd\", \"enabledModels\": \"" + FAST + "\"}",
                "{\"name\": \"odd\", \"enabledModels\": [1, 2]}",
                "{\"name\": \"odd\", \"tierConfig\": \"fast\"}",
                "{\"name\": \"odd\", \"tierConfig\": [{\"name\": \"fast\", \"maxScore\": \"high\"}]}",
                "{\"name\": \"odd\", \"tierConfig\": [{\"name\": \"fast\"}, {\"name\": \"fast\"}]}",
                "{\"name\": \"odd\", \"twoStage\": \"yes\"}",
                "{\"name\": \"odd\", \"twoStage\": {\"enabled\": \"yes\"}}",
                "{\"name\": \"odd\", \"twoStage\": {\"stage1MaxTokens\": 0}}",
                "{\"name\": \"odd\", \"loadBalancing\": {\"healthCheckInterval\": \"soon\"}}",
                "{\"name\": \"odd\", \"loadBalancing\": {\"healthCheckInterval\": 1e400}}",
                "{\"name\": \"odd\", \"loadBalancing\": {\"strategy\": 3}}"})
        @DisplayName("refuses a wrong type or value with 400 InvalidProfile")
        void wrongTypes(String body) throws Exception {
            JsonNode error = assertError(create(body), 400, "InvalidProfile");

            assertThat(error.get("details").get("field").asText()).isNotBlank();
            assertThat(api.get(PROFILES).json().size()).isZero();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
                "{\"name\": \"odd\", \"description\": \"a\\u0000b\"}|description",
                "{\"name\": \"odd\", \"description\": \"bell\\u0007\"}|description",
                "{\"name\": \"odd\", \"description\": \"del\\u007f\"}|description",
                "{\"name\": \"odd\", \"description\": \"c1\\u0085\"}|description",
                "{\"name\": \"odd\", \"description\": \"lone\\ud800\"}|description",
                "{\"name\": \"odd\", \"enabledModels\": [\"ok\", \"a\\u0000b\"]}|enabledModels[1]",
                "{\"name\": \"odd\", \"enabledModels\": [\"tab\\tid\"]}|enabledModels[0]"})
        @DisplayName("refuses a control character in the description or a model id with 400 InvalidProfile")
        void controlCharacters(String caseText) throws Exception {
            String body = caseText.substring(0, caseText.lastIndexOf('|'));
            String field = caseText.substring(caseText.lastIndexOf('|') + 1);

            JsonNode error = assertError(create(body), 400, "InvalidProfile");

            assertThat(error.get("details").get("field").asText()).isEqualTo(field);
            assertThat(error.get("message").asText()).contains(field);
            assertThat(api.get(PROFILES).json().size()).isZero();
            create(profile("odd", FAST));
            assertError(api.put(PROFILES + "/odd", body), 400, "InvalidProfile");
            assertThat(api.get(PROFILES + "/odd").status()).isEqualTo(200);
        }

        @Test
        @DisplayName("keeps tabs, line breaks and other scripts in a description, and reads them back")
        void multiLineDescription() throws Exception {
            String body = JSON.writeValueAsString(Map.of("name", "notes",
                    "description", "line one\n\tindented\r\nlast: \u00e9\u4e2d\ud83d\ude00 'q' \"dq\"",
                    "enabledModels", List.of()));

            assertSaved(create(body), 201, "notes");

            assertThat(api.get(PROFILES + "/notes").json().get("description"))
                    .isEqualTo(JSON.readTree(body).get("description"));
            assertThat(api.post(PROFILES + "/notes/activate", "").status()).isEqualTo(200);
        }

        @Test
        @DisplayName("refuses with 413 a body under 1 MiB whose profile would be over 1 MiB as YAML")
        void largerAsYaml() throws Exception {
            String big = manyModels("big", 110_000);
            assertThat(big.length()).isLessThan(1024 * 1024);

            JsonNode error = assertError(create(big), 413, "PayloadTooLarge");

            assertThat(error.get("message").asText()).contains("big").contains("too large");
            assertThat(error.get("details").get("limitBytes").asLong()).isEqualTo(1024 * 1024);
            assertThat(api.get(PROFILES).json().size()).isZero();
            create(profile("big", FAST));
            assertError(api.put(PROFILES + "/big", big), 413, "PayloadTooLarge");
            assertThat(api.get(PROFILES + "/big").json().get("enabledModels").size()).isEqualTo(1);
        }

        @Test
        @DisplayName("reads back a large profile it accepts")
        void largeReadsBack() throws Exception {
            String large = manyModels("large", 80_000);

            assertSaved(create(large), 201, "large");

            ApiServer.Reply read = api.get(PROFILES + "/large");
            assertThat(read.status()).as(read.raw().body()).isEqualTo(200);
            assertThat(read.json().get("enabledModels")).isEqualTo(JSON.readTree(large).get("enabledModels"));
        }

        @Test
        @DisplayName("refuses a body that is not a JSON object with 400 InvalidRequest")
        void notAnObject() throws Exception {
            assertError(create("[\"dev\"]"), 400, "InvalidRequest");
            assertError(create("{\"name\": \"dev\""), 400, "InvalidRequest");
            assertError(api.send("POST", PROFILES, (String) null), 400, "InvalidRequest");
        }
    }

    @Nested
    @DisplayName("PUT /profiles/{name}")
    class Replace {
        @Test
        @DisplayName("answers 200 with the same shape as a create and replaces the profile")
        void replaced() throws Exception {
            create(profile("dev", FAST));

            ApiServer.Reply reply = api.put(PROFILES + "/dev",
                    "{\"description\": \"Changed\", \"enabledModels\": [\"" + BALANCED + "\", \"gone\"]}");

            assertSaved(reply, 200, "dev");
            assertThat(reply.json().get("unknownModels").toString()).isEqualTo("[\"gone\"]");
            JsonNode dev = api.get(PROFILES + "/dev").json();
            assertThat(dev.get("description").asText()).isEqualTo("Changed");
            assertThat(dev.get("enabledModels").toString()).isEqualTo("[\"" + BALANCED + "\",\"gone\"]");
        }

        @Test
        @DisplayName("of an unknown profile is 404 ProfileNotFound and creates nothing")
        void notFound() throws Exception {
            assertError(api.put(PROFILES + "/ghost", profile("ghost")), 404, "ProfileNotFound");

            assertThat(api.get(PROFILES).json().size()).isZero();
        }

        @Test
        @DisplayName("refuses a body naming another profile, or an invalid one, with 400 InvalidProfile")
        void invalid() throws Exception {
            create(profile("dev", FAST));

            JsonNode renamed = assertError(api.put(PROFILES + "/dev", profile("prod")), 400, "InvalidProfile");
            assertThat(renamed.get("message").asText()).contains("prod").contains("dev");
            assertError(api.put(PROFILES + "/dev", "{\"loadBalancing\": {\"strategy\": \"fastest\"}}"),
                    400, "InvalidProfile");

            assertThat(api.get(PROFILES + "/dev").json().get("enabledModels").get(0).asText()).isEqualTo(FAST);
        }
    }

    @Nested
    @DisplayName("DELETE /profiles/{name}")
    class Delete {
        @Test
        @DisplayName("answers 200 with the name and removes the file")
        void deleted() throws Exception {
            create(profile("dev"));

            ApiServer.Reply reply = api.delete(PROFILES + "/dev");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.json().get("message").asText()).contains("dev");
            assertThat(reply.json().get("profileName").asText()).isEqualTo("dev");
            assertThat(Instant.parse(reply.json().get("timestamp").asText())).isNotNull();
            assertThat(magi.profiles.resolve("dev.yaml")).doesNotExist();
            assertError(api.get(PROFILES + "/dev"), 404, "ProfileNotFound");
        }

        @Test
        @DisplayName("of an unknown profile is 404 ProfileNotFound")
        void notFound() throws Exception {
            assertError(api.delete(PROFILES + "/ghost"), 404, "ProfileNotFound");
        }

        @Test
        @DisplayName("of the active profile is 409 ProfileActive and keeps it")
        void active() throws Exception {
            create(profile("dev"));
            magi.engine.store().saveActiveProfile("dev");

            JsonNode error = assertError(api.delete(PROFILES + "/dev"), 409, "ProfileActive");

            assertThat(error.get("details").get("profileName").asText()).isEqualTo("dev");
            assertThat(api.get(PROFILES + "/dev").status()).isEqualTo(200);
        }
    }

    @Nested
    @DisplayName("a profile name that could reach outside the profiles directory")
    class UnsafeNames {
        List<String> filesBefore;

        @BeforeEach
        void remember() throws Exception {
            create(profile("dev"));
            filesBefore = magi.allFiles();
        }

        @AfterEach
        void nothingEscaped() throws Exception {
            assertThat(magi.allFiles()).isEqualTo(filesBefore);
            try (var entries = Files.list(outside)) {
                assertThat(entries.map(p -> p.getFileName().toString()).toList()).containsExactly("magi");
            }
            assertThat(api.get(PROFILES).json().toString()).isEqualTo("[\"dev\"]");
        }

        @ParameterizedTest(name = "\"{0}\"")
        @ValueSource(strings = {"../../evil", "../evil", "a/b", "..", ".", "a b", "été", "名前", "-dash", "_under",
                ".hidden", "dev.yaml", "a\\b", "C:evil", "", " dev", "dev ", "dev\n", "dev\u0000",
                "x123456789x123456789x123456789x123456789x123456789x123456789x1234"})
        @DisplayName("in a POST body is 400 InvalidProfileName")
        void inBody(String name) throws Exception {
            JsonNode error = assertError(create(JSON.writeValueAsString(Map.of("name", name))),
                    400, "InvalidProfileName");

            assertThat(error.get("message").asText()).contains("64");
        }

        @Test
        @DisplayName("of 64 characters is accepted, 65 is not")
        void length() throws Exception {
            String longest = "x".repeat(64);
            assertThat(create(profile(longest)).status()).isEqualTo(201);
            assertThat(api.delete(PROFILES + "/" + longest).status()).isEqualTo(200);

            assertError(api.get(PROFILES + "/" + "x".repeat(65)), 400, "InvalidProfileName");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"..", "a%20b", "%C3%A9t%C3%A9", "dev.yaml", "-dash", "%20dev",
                "x123456789x123456789x123456789x123456789x123456789x123456789x1234"})
        @DisplayName("in the path of GET, PUT and DELETE is 400 InvalidProfileName")
        void inPath(String encoded) throws Exception {
            String path = PROFILES + "/" + encoded;

            assertError(api.get(path), 400, "InvalidProfileName");
            assertError(api.put(path, "{\"description\": \"x\"}"), 400, "InvalidProfileName");
            assertError(api.delete(path), 400, "InvalidProfileName");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"../../evil", "a/b", "..%2F..%2Fevil", "%2e%2e", "%2e%2e%2fevil", "%2E%2E/evil",
                "..%2f..%2fdev", "dev/..", "./dev", "%2F", "..%5C..%5Cevil", "dev%0A"})
        @DisplayName("that the HTTP layer or routing refuses is still a JSON error")
        void refusedBeforeTheResource(String encoded) throws Exception {
            String path = PROFILES + "/" + encoded;
            for (ApiServer.Reply reply : List.of(api.get(path), api.put(path, profile("evil")), api.delete(path))) {
                String raw = reply.raw().body();
                assertThat(reply.status()).as(path + " answered " + raw).isIn(400, 404, 405);
                assertThat(reply.header("Content-Type")).as(raw).startsWith("application/json");
                JsonNode body = reply.json();
                assertThat(body.get("error").asText()).isIn("InvalidProfileName", "InvalidRequest", "NotFound",
                        "MethodNotAllowed", "ProfileNotFound");
                assertThat(body.get("message").asText()).isNotBlank();
                assertNoInternals(reply);
            }
        }
    }

    @Nested
    @DisplayName("hostile files in the profiles directory")
    class HostileFiles {
        @BeforeEach
        void place() throws Exception {
            create(profile("good", FAST));
            StringBuilder bomb = new StringBuilder("name: bomb\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
            char previous = 'a';
            for (char c = 'b'; c <= 'j'; c++) {
                bomb.append(c).append(": &").append(c).append(" [");
                for (int i = 0; i < 9; i++) {
                    bomb.append(i == 0 ? "" : ",").append('*').append(previous);
                }
                bomb.append("]\n");
                previous = c;
            }
            bomb.append("description: *j\n");
            Files.writeString(magi.profiles.resolve("bomb.yaml"), bomb);
            StringBuilder big = new StringBuilder("name: big\nenabledModels:\n");
            while (big.length() < 10 * 1024 * 1024) {
                big.append("  - model-").append(big.length()).append('\n');
            }
            Files.writeString(magi.profiles.resolve("big.yaml"), big);
            Files.writeString(magi.profiles.resolve("odd-strategy.yaml"), "loadBalancing:\n  strategy: fastest\n");
            Files.writeString(magi.profiles.resolve("odd-tier.yaml"),
                    "tierConfig:\n  - name: turbo\n    maxScore: 3\n");
        }

        @Test
        @DisplayName("GET /profiles still lists every profile")
        void list() throws Exception {
            ApiServer.Reply reply = api.get(PROFILES);

            assertThat(reply.status()).isEqualTo(200);
            List<String> names = new ArrayList<>();
            reply.json().forEach(n -> names.add(n.asText()));
            assertThat(names).containsExactly("big", "bomb", "good", "odd-strategy", "odd-tier");
        }

        @Test
        @DisplayName("an alias bomb is 400 InvalidProfile, and the other profiles still work")
        void aliasBomb() throws Exception {
            JsonNode error = assertError(api.get(PROFILES + "/bomb"), 400, "InvalidProfile");

            assertThat(error.get("message").asText()).contains("bomb.yaml");
            assertThat(error.get("details").get("file").asText()).isEqualTo("bomb.yaml");
            assertThat(api.get(PROFILES + "/good").status()).isEqualTo(200);
        }

        @Test
        @DisplayName("a 10 MB file is 400 InvalidProfile saying it is too large")
        void tooLarge() throws Exception {
            JsonNode error = assertError(api.get(PROFILES + "/big"), 400, "InvalidProfile");

            assertThat(error.get("message").asText()).contains("big.yaml").contains("too large");
            assertThat(api.get(PROFILES + "/good").status()).isEqualTo(200);
        }

        @Test
        @DisplayName("an unknown strategy or tier name in a file is 400 InvalidProfile naming the file, not its text")
        void unknownValues() throws Exception {
            JsonNode strategy = assertError(api.get(PROFILES + "/odd-strategy"), 400, "InvalidProfile");
            assertThat(strategy.get("message").asText()).contains("odd-strategy.yaml", "strategy", "round_robin")
                    .doesNotContain("fastest");

            JsonNode tier = assertError(api.get(PROFILES + "/odd-tier"), 400, "InvalidProfile");
            assertThat(tier.get("message").asText()).contains("odd-tier.yaml", "balanced")
                    .doesNotContain("turbo");
        }

        @Test
        @DisplayName("a broken file is never written over by a create, and can be deleted or replaced")
        void brokenFilesStayManageable() throws Exception {
            assertError(create(profile("bomb")), 409, "ProfileExists");

            assertSaved(api.put(PROFILES + "/odd-strategy", "{\"description\": \"fixed\"}"), 200, "odd-strategy");
            assertThat(api.get(PROFILES + "/odd-strategy").json().get("loadBalancing").get("strategy").asText())
                    .isEqualTo("round_robin");
            assertThat(api.delete(PROFILES + "/bomb").status()).isEqualTo(200);
            assertThat(api.delete(PROFILES + "/big").status()).isEqualTo(200);
            assertThat(api.get(PROFILES).json().toString()).isEqualTo("[\"good\",\"odd-strategy\",\"odd-tier\"]");
        }
    }
}
