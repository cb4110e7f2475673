package dev.magi.core.store.migration;

import dev.magi.core.store.h2.H2StoreProvider;
import dev.magi.core.store.json.JsonStoreProvider;
import dev.magi.core.store.migration.StoreMigration.Result;
import dev.magi.core.store.migration.StoreMigration.Side;
import dev.magi.core.store.yaml.YamlStoreProvider;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import static dev.magi.testkit.store.RegistryStoreContract.fileSettings;
import static dev.magi.testkit.store.RegistryStoreContract.fullProfile;
import static dev.magi.testkit.store.RegistryStoreContract.fullRegistry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Migrating between stores")
class StoreMigrationTest {
    private static final RegistrySnapshot REGISTRY = fullRegistry("");
    private static final ModelProfile FULL = fullProfile("coding");
    private static final ModelProfile DEFAULTS = ModelProfile.withDefaults("defaults", null, List.of());

    @TempDir
    Path dir;

    private Side json;
    private Side h2;
    private Side yaml;

    @BeforeEach
    void sides() {
        // Each store in a directory of its own, so that nothing reaches the target but the copy.
        json = new Side(new JsonStoreProvider(), fileSettings(dir.resolve("json")));
        h2 = new Side(new H2StoreProvider(), fileSettings(dir.resolve("h2")));
        yaml = new Side(new YamlStoreProvider(), fileSettings(dir.resolve("yaml")));
    }

    private static void fill(Side side, RegistrySnapshot registry, String active, ModelProfile... profiles) {
        try (RegistryStore store = side.provider().open(side.settings())) {
            if (registry != null) {
                store.saveRegistry(registry);
            }
            for (ModelProfile profile : profiles) {
                store.saveProfile(profile);
            }
            store.saveActiveProfile(active);
        }
    }

    /** Everything the store keeps, in a form two stores can be compared by. */
    private static Map<String, Object> contents(Side side) {
        try (RegistryStore store = side.provider().open(side.settings())) {
            Map<String, ModelProfile> profiles = new TreeMap<>();
            for (String name : store.profileNames()) {
                profiles.put(name, store.loadProfile(name).orElseThrow());
            }
            RegistrySnapshot registry = store.loadRegistry().orElse(null);
            return Map.of("registry", Optional.ofNullable(registry),
                    "order", registry == null ? List.of() : List.copyOf(registry.models().keySet()),
                    "profiles", profiles,
                    "active", store.loadActiveProfile());
        }
    }

    private static ErrorCode codeOf(Throwable e) {
        return ((MagiException) e).code();
    }

    @Test
    @DisplayName("json to h2 to yaml keeps every field of the registry, every profile and the active profile")
    void roundTrip() {
        fill(json, REGISTRY, "coding", FULL, DEFAULTS);
        Map<String, Object> original = contents(json);

        Result first = StoreMigration.migrate(json, h2, false);
        assertThat(contents(h2)).isEqualTo(original);
        Result second = StoreMigration.migrate(h2, yaml, false);
        assertThat(contents(yaml)).isEqualTo(original);

        assertThat(contents(yaml).get("registry")).isEqualTo(Optional.of(REGISTRY));
        assertThat(second.models()).isEqualTo(2);
        assertThat(second.profiles()).containsExactly("coding", "defaults");
        assertThat(second.activeProfile()).isEqualTo("coding");
        assertThat(first.replaced()).isEmpty();
        assertThat(first.summary()).startsWith("Migrated 2 models, 2 profiles and the active profile 'coding'"
                + " from json store (").contains(" to h2 store (").endsWith("; read back and verified");
    }

    @Test
    @DisplayName("copies a registry with no active profile and no profiles")
    void registryOnly() {
        fill(json, REGISTRY, null);
        Result result = StoreMigration.migrate(json, h2, false);
        assertThat(contents(h2)).isEqualTo(contents(json));
        assertThat(result.summary()).startsWith("Migrated 2 models, 0 profiles and no active profile from json");
    }

    @Test
    @DisplayName("refuses a source that holds no registry, and writes nothing")
    void emptySource() {
        assertThatThrownBy(() -> StoreMigration.migrate(json, h2, false))
                .isInstanceOf(MagiException.class).hasMessageContaining("holds no registry")
                .extracting(StoreMigrationTest::codeOf).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(contents(h2).get("registry")).isEqualTo(Optional.empty());
    }

    @Nested
    @DisplayName("when the target already holds data")
    class NonEmptyTarget {
        private final RegistrySnapshot other = fullRegistry("-other");

        @BeforeEach
        void fillBoth() {
            fill(json, REGISTRY, "coding", FULL, DEFAULTS);
            fill(h2, other, "old", fullProfile("old"), DEFAULTS);
        }

        @Test
        @DisplayName("refuses, naming what it holds, and leaves it as it was")
        void refuses() {
            Map<String, Object> before = contents(h2);
            assertThatThrownBy(() -> StoreMigration.migrate(json, h2, false))
                    .isInstanceOf(MagiException.class)
                    .hasMessageContaining("already holds a registry of 2 models, the profile 'old',"
                            + " the active profile 'old'; nothing was written")
                    .extracting(StoreMigrationTest::codeOf).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(contents(h2)).isEqualTo(before);
        }

        @Test
        @DisplayName("with force, makes it an exact copy: its other profiles are deleted")
        void force() {
            Result result = StoreMigration.migrate(json, h2, true);
            assertThat(contents(h2)).isEqualTo(contents(json));
            assertThat(result.replaced()).containsExactly("a registry of 2 models", "the profile 'old'",
                    "the active profile 'old'");
            assertThat(result.summary()).contains(", replacing a registry of 2 models, the profile 'old'");
        }
    }

    @Test
    @DisplayName("needs no force when the target holds the same data: json and yaml share the profiles")
    void sameDataIsNotAConflict() {
        Side sharedJson = new Side(new JsonStoreProvider(), fileSettings(dir.resolve("shared")));
        Side sharedYaml = new Side(new YamlStoreProvider(), fileSettings(dir.resolve("shared")));
        fill(sharedJson, REGISTRY, "coding", FULL, DEFAULTS);

        StoreMigration.migrate(sharedJson, sharedYaml, false);
        assertThat(contents(sharedYaml)).isEqualTo(contents(sharedJson));
        // And the same migration again changes nothing, so it is not refused either.
        assertThat(StoreMigration.migrate(sharedJson, sharedYaml, false).replaced()).isEmpty();
    }

    @Test
    @DisplayName("fails when the target does not read back what was written")
    void verification() {
        fill(json, REGISTRY, "coding", FULL);
        Side forgetful = new Side(new ForgetfulStoreProvider(), key -> null);
        assertThatThrownBy(() -> StoreMigration.migrate(json, forgetful, false))
                .isInstanceOf(MagiException.class)
                .hasMessageContaining("does not read back what was written")
                .hasMessageContaining("the active profile null instead of coding")
                .extracting(StoreMigrationTest::codeOf).isEqualTo(ErrorCode.STORAGE_FAILED);
    }

    /** A store that keeps registry and profiles but not the active profile: it leaves those methods out. */
    static final class ForgetfulStoreProvider implements StoreProvider {
        private final Map<String, ModelProfile> profiles = new ConcurrentHashMap<>();
        private volatile RegistrySnapshot registry;

        @Override
        public String name() {
            return "forgetful";
        }

        @Override
        public RegistryStore open(Settings settings) {
            return new RegistryStore() {
                @Override
                public Optional<RegistrySnapshot> loadRegistry() {
                    return Optional.ofNullable(registry);
                }

                @Override
                public void saveRegistry(RegistrySnapshot snapshot) {
                    registry = snapshot;
                }

                @Override
                public List<String> profileNames() {
                    return List.copyOf(new TreeMap<>(profiles).keySet());
                }

                @Override
                public Optional<ModelProfile> loadProfile(String name) {
                    return Optional.ofNullable(profiles.get(name));
                }

                @Override
                public void saveProfile(ModelProfile profile) {
                    profiles.put(profile.name(), profile);
                }

                @Override
                public boolean deleteProfile(String name) {
                    return profiles.remove(name) != null;
                }
            };
        }
    }
}
