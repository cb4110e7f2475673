package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.Settings;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The command line")
class MagiMainTest {
    @TempDir
    Path dir;

    /** One run of {@link MagiMain#run}: its exit code and what it printed. */
    record Outcome(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private Outcome run(Map<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MagiMain.run(args, Settings.of(environment),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Outcome run(String... args) {
        return run(Map.of(), args);
    }

    /** Paths inside the test's directory, so that nothing is written to the working directory. */
    private String[] withPaths(String... args) {
        List<String> all = new ArrayList<>(List.of(
                "--scan-path", dir.resolve("models").toString(),
                "--registry-path", dir.resolve("data/model_registry.json").toString(),
                "--profiles-path", dir.resolve("profiles").toString(),
                "--watch", "false"));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    @Test
    @DisplayName("--help lists every flag with its variable and default, and exits 0")
    void help() {
        Outcome outcome = run("--help");
        assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_OK);
        // Descriptions wrap; compare words, not lines.
        String help = outcome.out().replaceAll("\\s+", " ");
        for (ConfigKey key : ConfigKey.values()) {
            assertThat(help).contains(key.flag()).contains("env " + key.variable());
            if (key.defaultValue() != null) {
                assertThat(help).contains("default " + key.defaultValue());
            }
        }
        assertThat(outcome.out()).contains("--print-registry");
    }

    @Test
    @DisplayName("--version prints the version and exits 0")
    void version() {
        Outcome outcome = run("--version");
        assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_OK);
        assertThat(outcome.out()).startsWith("MAGI ");
    }

    @Nested
    @DisplayName("exits with 2 and one clear line")
    class Usage {
        @Test
        @DisplayName("on an unknown flag")
        void unknownFlag() {
            Outcome outcome = run("--frobnicate");
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString().contains("--frobnicate");
        }

        @Test
        @DisplayName("on a flag without its value")
        void missingValue() {
            Outcome outcome = run("--port");
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString().contains("--port");
        }

        @Test
        @DisplayName("on a bad value given as a flag")
        void badFlagValue() {
            Outcome outcome = run(withPaths("--port", "eighty"));
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString()
                    .contains("'eighty'").contains("--port").contains("MAGI_PORT");
        }

        @Test
        @DisplayName("on a memory budget that is not a size")
        void badMemoryBudget() {
            Outcome outcome = run(withPaths("--memory-budget", "lots"));
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString()
                    .contains("'lots'").contains("--memory-budget").contains("MAGI_MEMORY_BUDGET").contains("24G");
        }

        @Test
        @DisplayName("on a bad value given as an environment variable")
        void badVariableValue() {
            Outcome outcome = run(Map.of("STOP_TIMEOUT", "soon"), withPaths());
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString().contains("'soon'").contains("STOP_TIMEOUT");
        }

        @Test
        @DisplayName("on an unknown store, listing the stores available")
        void unknownStore() {
            Outcome outcome = run(withPaths("--store", "mongo"));
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString()
                    .contains("'mongo'").contains("MAGI_STORE").endsWith("available: h2, json, yaml");
        }

        @Test
        @DisplayName("on an unknown tier classifier, listing the classifiers available")
        void unknownClassifier() {
            Outcome outcome = run(withPaths("--tier-classifier", "vibes"));
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString()
                    .contains("'vibes'").contains("MAGI_TIER_CLASSIFIER").endsWith("available: size");
        }
    }

    @Test
    @DisplayName("a flag beats the environment variable")
    void flagBeatsVariable() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        Outcome outcome = run(Map.of("MODEL_SCAN_PATH", dir.resolve("elsewhere").toString()),
                withPaths("--print-registry"));
        assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_OK);
        assertThat(outcome.out()).contains("small-1b-q4_k_m");
    }

    @Test
    @DisplayName("exits with 1 and one line when the port is taken")
    void portTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Outcome outcome = run(withPaths("--port", Integer.toString(taken.getLocalPort())));
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_FAILED);
            assertThat(outcome.errLines()).singleElement().asString()
                    .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }
}
