package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plugins added to a built MAGI by dropping their jars in a directory: {@code java -jar magi.jar
 * --plugins-dir DIR} with the jars of the example plugins ({@code examples/custom-tier-classifier},
 * {@code examples/custom-store}), which are nowhere on magi.jar's class path.
 */
@DisplayName("java -jar magi.jar --plugins-dir")
class PluginsDirIT {
    private static final String CODER = "tiny-coder-1b-q4_k_m";
    private static final String CHAT = "tiny-chat-1b-q4_k_m";
    private static Path jar;
    private static Path pluginJars;

    @TempDir
    Path dir;
    private Path plugins;

    @BeforeAll
    static void findJars() {
        jar = Path.of(System.getProperty("magi.jar", "target/magi.jar"));
        pluginJars = Path.of(System.getProperty("magi.plugin.jars", "target/plugin-jars"));
        assertThat(jar).as("the shaded jar, built by 'package'").isRegularFile();
        assertThat(pluginJars.resolve("magi-example-custom-tier-classifier.jar")).isRegularFile();
        assertThat(pluginJars.resolve("magi-example-custom-store.jar")).isRegularFile();
    }

    @BeforeEach
    void models() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        // Both about 0.3 million parameters: fast by size. Only the name tells the coder.
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Tiny-Coder-1B-Q4_K_M.gguf"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Tiny-Chat-1B-Q4_K_M.gguf"));
        plugins = Files.createDirectories(dir.resolve("plugins"));
    }

    private void install(String plugin) throws Exception {
        Files.copy(pluginJars.resolve(plugin + ".jar"), plugins.resolve(plugin + ".jar"));
    }

    private MagiProcess magi(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("--port", "0", "--watch", "false",
                "--scan-path", dir.resolve("models").toString(),
                "--registry-path", dir.resolve("data/model_registry.json").toString(),
                "--profiles-path", dir.resolve("profiles").toString()));
        all.addAll(List.of(args));
        return MagiProcess.fromJar(jar, all.toArray(String[]::new));
    }

    @Test
    @DisplayName("adds a tier classifier chosen with --tier-classifier, whose tiers the API shows")
    void tierClassifier() throws Exception {
        install("magi-example-custom-tier-classifier");
        try (MagiProcess magi = magi("--plugins-dir", plugins.toString(), "--tier-classifier", "coder")) {
            Http http = new Http(magi.awaitListening());
            assertThat(http.get("/api/models/" + CODER).json().path("assignedTier").asText()).isEqualTo("powerful");
            assertThat(http.get("/api/models/" + CHAT).json().path("assignedTier").asText()).isEqualTo("fast");
            JsonNode powerful = http.get("/api/models/tiers/powerful").json();
            assertThat(powerful.findValuesAsText("modelId")).containsExactly(CODER);
            assertThat(magi.output()).contains("classifier 'coder'");
            assertThat(magi.terminate()).isEqualTo(MagiMain.EXIT_OK);
        }
    }

    @Test
    @DisplayName("without it, the classifier is unknown: exit 2 with the names available")
    void unknownWithoutTheDirectory() throws Exception {
        try (MagiProcess magi = magi("--tier-classifier", "coder")) {
            assertThat(magi.awaitExit()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(magi.output()).contains("'coder'").contains("available: size");
        }
        install("magi-example-custom-tier-classifier");
        try (MagiProcess magi = magi("--plugins-dir", plugins.toString(), "--tier-classifier", "vibes")) {
            assertThat(magi.awaitExit()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(magi.output()).contains("'vibes'").contains("available: coder, size");
        }
    }

    @Test
    @DisplayName("adds a store chosen with --store, which keeps changes across a restart and migrates")
    void store() throws Exception {
        install("magi-example-custom-store");
        try (MagiProcess magi = magi("--plugins-dir", plugins.toString(), "--store", "properties")) {
            Http http = new Http(magi.awaitListening());
            assertThat(http.put("/api/models/" + CHAT + "/tier", "{\"tier\": \"balanced\"}").status()).isEqualTo(200);
            assertThat(magi.terminate()).isEqualTo(MagiMain.EXIT_OK);
        }
        assertThat(dir.resolve("data/model_registry.properties")).isRegularFile();
        assertThat(dir.resolve("data/model_registry.json")).doesNotExist();

        try (MagiProcess magi = magi("--plugins-dir", plugins.toString(), "--store", "properties")) {
            Http http = new Http(magi.awaitListening());
            assertThat(http.get("/api/models/" + CHAT).json().path("tierOverride").asText()).isEqualTo("balanced");
            assertThat(magi.terminate()).isEqualTo(MagiMain.EXIT_OK);
        }

        try (MagiProcess migrate = MagiProcess.fromJar(jar, "migrate", "--from", "properties", "--to", "json",
                "--plugins-dir", plugins.toString(),
                "--registry-path", dir.resolve("data/model_registry.json").toString(),
                "--profiles-path", dir.resolve("profiles").toString())) {
            assertThat(migrate.awaitExit()).as(migrate.output()).isEqualTo(MagiMain.EXIT_OK);
            assertThat(migrate.output()).contains("Migrated 2 models, 0 profiles and no active profile from properties");
        }
        assertThat(Files.readString(dir.resolve("data/model_registry.json"))).contains("\"balanced\"");
    }
}
