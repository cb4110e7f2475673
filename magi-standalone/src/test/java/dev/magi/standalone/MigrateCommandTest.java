package dev.magi.standalone;

import dev.magi.core.store.h2.H2StoreProvider;
import dev.magi.core.store.json.JsonStoreProvider;
import dev.magi.core.store.yaml.YamlStoreProvider;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;
import dev.magi.testkit.CapturedStderr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.magi.testkit.store.RegistryStoreContract.fullProfile;
import static dev.magi.testkit.store.RegistryStoreContract.fullRegistry;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("java -jar magi.jar migrate")
class MigrateCommandTest {
    private static final RegistrySnapshot REGISTRY = fullRegistry("");

    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(line -> !line.startsWith("[")).toList();
        }
    }

    private Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MagiMain.run(args, Settings.of(Map.of()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code migrate ARGS} with the stores kept under {@code place}. */
    private Outcome migrate(String place, String... args) {
        List<String> all = new ArrayList<>(List.of("migrate",
                "--registry-path", registryPath(place), "--profiles-path", profilesPath(place)));
        all.addAll(List.of(args));
        return run(all.toArray(String[]::new));
    }

    private String registryPath(String place) {
        return dir.resolve(place).resolve("data/model_registry.json").toString();
    }

    private String profilesPath(String place) {
        return dir.resolve(place).resolve("profiles").toString();
    }

    private Settings settings(String place) {
        return Settings.of(Map.of("REGISTRY_PATH", registryPath(place), "PROFILES_PATH", profilesPath(place)));
    }

    private void fill(StoreProvider provider, String place, RegistrySnapshot registry, String active,
                      ModelProfile... profiles) {
        try (RegistryStore store = provider.open(settings(place))) {
            store.saveRegistry(registry);
            for (ModelProfile profile : profiles) {
                store.saveProfile(profile);
            }
            store.saveActiveProfile(active);
        }
    }

    private Map<String, Object> contents(StoreProvider provider, String place) {
        try (RegistryStore store = provider.open(settings(place))) {
            Map<String, ModelProfile> profiles = new TreeMap<>();
            for (String name : store.profileNames()) {
                profiles.put(name, store.loadProfile(name).orElseThrow());
            }
            Optional<RegistrySnapshot> registry = store.loadRegistry();
            return Map.of("registry", registry,
                    "order", registry.map(r -> List.copyOf(r.models().keySet())).orElse(List.of()),
                    "profiles", profiles, "active", store.loadActiveProfile());
        }
    }

    @Test
    @DisplayName("json to h2 to yaml keeps every field, exiting 0 with one summary line each time")
    void roundTrip() {
        fill(new JsonStoreProvider(), "a", REGISTRY, "coding", fullProfile("coding"),
                ModelProfile.withDefaults("plain", null, List.of()));
        Map<String, Object> original = contents(new JsonStoreProvider(), "a");

        Outcome toH2 = migrate("a", "--from", "json", "--to", "h2");
        assertThat(toH2.code()).as(toH2.err()).isEqualTo(MagiMain.EXIT_OK);
        assertThat(toH2.out().lines()).singleElement().asString()
                .startsWith("Migrated 2 models, 2 profiles and the active profile 'coding' from json store")
                .contains("to h2 store").endsWith("read back and verified");
        assertThat(contents(new H2StoreProvider(), "a")).isEqualTo(original);

        // From the h2 database beside a/data to a yaml store of its own under b.
        Outcome toYaml = migrate("a", "--from", "h2", "--to", "yaml",
                "--to-registry-path", registryPath("b"), "--to-profiles-path", profilesPath("b"));
        assertThat(toYaml.code()).as(toYaml.err()).isEqualTo(MagiMain.EXIT_OK);
        assertThat(contents(new YamlStoreProvider(), "b")).isEqualTo(original);
        assertThat(contents(new YamlStoreProvider(), "b").get("registry")).isEqualTo(Optional.of(REGISTRY));
    }

    @Nested
    @DisplayName("when the target holds other data")
    class NonEmptyTarget {
        @BeforeEach
        void fillBoth() {
            fill(new JsonStoreProvider(), "a", REGISTRY, null, fullProfile("coding"));
            fill(new H2StoreProvider(), "a", fullRegistry("-other"), "old", fullProfile("old"));
        }

        @Test
        @DisplayName("refuses with exit 1 and one line naming what it holds and --force")
        void refuses() {
            Map<String, Object> before = contents(new H2StoreProvider(), "a");
            Outcome outcome = migrate("a", "--from", "json", "--to", "h2");
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_FAILED);
            assertThat(outcome.out()).isEmpty();
            assertThat(outcome.errLines()).singleElement().asString()
                    .contains("already holds a registry of 2 models, the profile 'old', the active profile 'old'")
                    .contains("nothing was written").contains("--force");
            assertThat(contents(new H2StoreProvider(), "a")).isEqualTo(before);
        }

        @Test
        @DisplayName("replaces it with --force")
        void force() {
            Outcome outcome = migrate("a", "--from", "json", "--to", "h2", "--force");
            assertThat(outcome.code()).as(outcome.err()).isEqualTo(MagiMain.EXIT_OK);
            assertThat(outcome.out()).contains("replacing a registry of 2 models");
            assertThat(contents(new H2StoreProvider(), "a")).isEqualTo(contents(new JsonStoreProvider(), "a"));
        }
    }

    @Test
    @DisplayName("exits 1 when the source holds no registry")
    void emptySource() {
        Outcome outcome = migrate("empty", "--from", "json", "--to", "yaml");
        assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_FAILED);
        assertThat(outcome.errLines()).singleElement().asString().contains("holds no registry");
    }

    @Test
    @DisplayName("exits 1 with one line naming a damaged h2 source, leaving it as it was and writing nothing to the"
            + " target")
    void damagedH2Source() throws Exception {
        fill(new H2StoreProvider(), "a", REGISTRY, "coding", fullProfile("coding"));
        Path database = dir.resolve("damaged/data/magi.mv.db");
        Files.createDirectories(database.getParent());
        Files.copy(dir.resolve("a/data/magi.mv.db"), database);
        byte[] bytes = Files.readAllBytes(database);
        // Garbage over both file headers and the first chunk: what a disk fault or a stray write leaves.
        byte[] garbage = new byte[Math.min(bytes.length, 12 * 1024)];
        new Random(42).nextBytes(garbage);
        System.arraycopy(garbage, 0, bytes, 0, garbage.length);
        Files.write(database, bytes);

        Outcome outcome;
        String log;
        try (CapturedStderr stderr = new CapturedStderr()) {
            outcome = migrate("damaged", "--from", "h2", "--to", "json",
                    "--to-registry-path", registryPath("b"), "--to-profiles-path", profilesPath("b"));
            log = stderr.text();
        }

        assertThat(outcome.code()).as(outcome.err()).isEqualTo(MagiMain.EXIT_FAILED);
        assertThat(outcome.out()).isEmpty();
        assertThat(outcome.errLines()).singleElement().asString()
                .contains(database.toString()).contains("is damaged").contains("left as it is")
                .contains("nothing was written");
        assertThat(outcome.err() + log).doesNotContain("\tat ");
        // The source is left for the user to repair or restore: not moved, not replaced by an empty one.
        assertThat(Files.readAllBytes(database)).isEqualTo(bytes);
        try (Stream<Path> files = Files.list(database.getParent())) {
            // H2 may leave its own trace of the failure (magi.trace.db) beside it; nothing else changes.
            assertThat(files.map(file -> file.getFileName().toString()))
                    .contains("magi.mv.db").noneMatch(name -> name.contains("corrupt"));
        }
        assertThat(dir.resolve("b")).doesNotExist();
    }

    @Nested
    @DisplayName("exits 2 and says why")
    class Usage {
        @Test
        @DisplayName("on an unknown store, listing the stores available")
        void unknownStore() {
            Outcome outcome = migrate("a", "--from", "json", "--to", "mongo");
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString()
                    .contains("'mongo'").contains("--to").contains("available: h2, json, yaml");
        }

        @Test
        @DisplayName("without --to")
        void missingTarget() {
            Outcome outcome = migrate("a", "--from", "json");
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString().contains("--to");
        }

        @Test
        @DisplayName("when --from and --to are one store in one place")
        void sameStore() {
            Outcome outcome = migrate("a", "--from", "json", "--to", "json");
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString().contains("same place");
        }

        @Test
        @DisplayName("when server flags come before the command, where they would be ignored")
        void flagsBeforeCommand() {
            Outcome outcome = run("--registry-path", registryPath("a"), "migrate", "--from", "json", "--to", "h2");
            assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_USAGE);
            assertThat(outcome.errLines()).singleElement().asString().contains("after 'migrate'");
        }
    }

    @Test
    @DisplayName("copies between two places of one store with the --to- flags")
    void samStoreElsewhere() {
        fill(new JsonStoreProvider(), "a", REGISTRY, "coding", fullProfile("coding"));
        Outcome outcome = migrate("a", "--from", "json", "--to", "json",
                "--to-registry-path", registryPath("b"), "--to-profiles-path", profilesPath("b"));
        assertThat(outcome.code()).as(outcome.err()).isEqualTo(MagiMain.EXIT_OK);
        assertThat(contents(new JsonStoreProvider(), "b")).isEqualTo(contents(new JsonStoreProvider(), "a"));
    }

    @Test
    @DisplayName("--help lists its flags; the server's --help lists the command")
    void help() {
        Outcome outcome = run("migrate", "--help");
        assertThat(outcome.code()).isEqualTo(MagiMain.EXIT_OK);
        assertThat(outcome.out()).contains("--from").contains("--to").contains("--force")
                .contains("--registry-path").contains("--h2-url").contains("--to-registry-path")
                .contains("--plugins-dir");
        assertThat(run("--help").out()).contains("migrate");
    }
}
