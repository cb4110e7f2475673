package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/** The shaded jar as users run it: {@code java -jar magi.jar}, in a JVM of its own. */
@DisplayName("java -jar magi.jar")
class MagiJarIT {
    private static final String MODEL = "small-1b-q4_k_m";
    private static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void findJar() {
        jar = Path.of(System.getProperty("magi.jar", "target/magi.jar"));
        assertThat(jar).as("the shaded jar, built by 'package'").isRegularFile();
    }

    @Test
    @DisplayName("is a runnable multi-release jar")
    void manifest() throws Exception {
        try (JarFile file = new JarFile(jar.toFile())) {
            var attributes = file.getManifest().getMainAttributes();
            assertThat(attributes.getValue("Main-Class")).isEqualTo(MagiMain.class.getName());
            assertThat(attributes.getValue("Multi-Release")).isEqualTo("true");
        }
    }

    @Test
    @DisplayName("serves the API over HTTP on the port it logs, then stops cleanly on SIGTERM")
    void servesTheApi() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        try (MagiProcess magi = MagiProcess.fromJar(jar,
                "--port", "0",
                "--scan-path", dir.resolve("models").toString(),
                "--registry-path", dir.resolve("data/model_registry.json").toString(),
                "--profiles-path", dir.resolve("profiles").toString())) {
            Http http = new Http(magi.awaitListening());

            assertThat(http.get("/health").json().path("status").asText()).isEqualTo("ok");
            JsonNode registry = http.get("/api/models/registry").json();
            assertThat(registry.path("models").has(MODEL)).as(registry.toString()).isTrue();

            Http.Reply tier = http.put("/api/models/" + MODEL + "/tier", "{\"tier\": \"powerful\"}");
            assertThat(tier.status()).as(tier.body()).isEqualTo(200);
            assertThat(tier.json().path("override").asBoolean()).isTrue();

            Http.Reply missing = http.get("/api/models/nope");
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.json().path("error").asText()).isEqualTo("ModelNotFound");

            Http.Reply badJson = http.put("/api/models/" + MODEL + "/tier", "{\"tier\": ");
            assertThat(badJson.status()).isEqualTo(400);
            assertThat(badJson.json().path("error").asText()).isEqualTo("InvalidRequest");

            Http.Reply ambiguous = http.get("/api/models/profiles/..%2F..%2Fevil");
            assertThat(ambiguous.status()).isEqualTo(400);
            assertThat(ambiguous.contentType()).startsWith("application/json");

            assertThat(magi.terminate()).as(magi.output()).isEqualTo(MagiMain.EXIT_OK);
            assertThat(magi.output()).contains("MAGI stopped");
        }
        assertThat(Files.readString(dir.resolve("data/model_registry.json"))).contains("\"powerful\"");
    }

    @Test
    @DisplayName("migrate copies the registry a running MAGI keeps, and MAGI starts again on the copy")
    void migrateLiveRegistry() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        Path registryFile = dir.resolve("data/model_registry.json");
        Path profiles = dir.resolve("profiles");
        String[] paths = {"--registry-path", registryFile.toString(), "--profiles-path", profiles.toString()};
        try (MagiProcess magi = MagiProcess.fromJar(jar, concat(paths, "--port", "0", "--watch", "false",
                "--scan-path", dir.resolve("models").toString()))) {
            Http http = new Http(magi.awaitListening());
            assertThat(http.put("/api/models/" + MODEL + "/tier", "{\"tier\": \"powerful\"}").status()).isEqualTo(200);
            assertThat(http.put("/api/models/" + MODEL + "/thinking", "{\"thinking\": true}").status()).isEqualTo(200);
            Http.Reply created = http.send("POST", "/api/models/profiles",
                    "{\"name\": \"coding\", \"description\": \"for code\", \"enabledModels\": []}");
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            Http.Reply activated = http.send("POST", "/api/models/profiles/coding/activate", null);
            assertThat(activated.status()).as(activated.body()).isEqualTo(200);

            // While that MAGI runs and keeps its registry in the json store.
            try (MagiProcess migrate = MagiProcess.fromJar(jar,
                    concat(new String[]{"migrate", "--from", "json", "--to", "h2"}, paths))) {
                assertThat(migrate.awaitExit()).as(migrate.output()).isEqualTo(MagiMain.EXIT_OK);
                assertThat(migrate.output())
                        .contains("Migrated 1 model, 1 profile and the active profile 'coding' from json store")
                        .contains("read back and verified");
            }
            assertThat(magi.terminate()).as(magi.output()).isEqualTo(MagiMain.EXIT_OK);
        }

        // What MAGI now shows can only come from the h2 database.
        Files.delete(registryFile);
        Files.deleteIfExists(registryFile.resolveSibling("model_registry.json.bak"));
        try (var files = Files.list(profiles)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
        try (MagiProcess magi = MagiProcess.fromJar(jar, concat(paths, "--store", "h2", "--port", "0",
                "--watch", "false", "--scan-path", dir.resolve("models").toString()))) {
            Http http = new Http(magi.awaitListening());
            JsonNode model = http.get("/api/models/" + MODEL).json();
            assertThat(model.path("tierOverride").asText()).as(model.toString()).isEqualTo("powerful");
            assertThat(model.path("thinkingOverride").asBoolean()).as(model.toString()).isTrue();
            assertThat(http.get("/api/models/profiles").json().toString()).isEqualTo("[\"coding\"]");
            assertThat(http.get("/api/models/profiles/coding").json().path("description").asText()).isEqualTo("for code");
            assertThat(http.get("/api/models/profiles/active").json().path("profileName").asText()).isEqualTo("coding");
            assertThat(magi.terminate()).as(magi.output()).isEqualTo(MagiMain.EXIT_OK);
        }
        assertThat(registryFile).doesNotExist();
    }

    private static String[] concat(String[] first, String... rest) {
        String[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    @Test
    @DisplayName("exits with 2 and one line on a bad flag")
    void badFlag() throws Exception {
        try (MagiProcess magi = MagiProcess.fromJar(jar, "--port", "http")) {
            assertThat(magi.awaitExit()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(magi.output()).contains("'http'").contains("--port");
        }
    }
}
