package dev.magi.core.engine;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The engine")
class MagiEngineTest {
    @TempDir
    Path dir;

    private MagiEngine.Builder builder(boolean watch) {
        return MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, Boolean.toString(watch));
    }

    @Test
    @DisplayName("records only an existing profile as active, and refuses to delete the active one")
    void activeProfile() {
        try (MagiEngine engine = builder(false).build()) {
            var profiles = engine.profiles();
            assertThatThrownBy(() -> profiles.setActive("ghost")).isInstanceOfSatisfying(MagiException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.PROFILE_NOT_FOUND));
            assertThat(profiles.active()).isEmpty();

            profiles.create(ModelProfile.withDefaults("night", null, List.of()));
            profiles.setActive("night");
            assertThat(profiles.active()).contains("night");
            assertThatThrownBy(() -> profiles.delete("night")).isInstanceOfSatisfying(MagiException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.PROFILE_ACTIVE));

            profiles.setActive(null);
            profiles.delete("night");
            assertThat(profiles.names()).isEmpty();
        }
    }

    @Test
    @DisplayName("scans at start and keeps overrides and ids across a restart")
    void restart() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        try (MagiEngine engine = builder(false).build()) {
            assertThat(engine.registry().snapshot().models()).containsOnlyKeys("small-1b-q4_k_m");
            engine.registry().setTierOverride("small-1b-q4_k_m", Tier.POWERFUL);
            engine.registry().setEnabled("small-1b-q4_k_m", true);
        }
        try (MagiEngine engine = builder(false).build()) {
            var model = engine.registry().require("small-1b-q4_k_m");
            assertThat(model.tierOverride()).isEqualTo(Tier.POWERFUL);
            assertThat(model.enabled()).isTrue();
            assertThat(model.port()).isEqualTo(8080);
        }
    }

    @Test
    @DisplayName("serves the saved registry at once and picks up files added while it was not running")
    void returningUser() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        try (MagiEngine engine = builder(false).build()) {
            assertThat(engine.initialScan()).isDone();
        }
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Added-2B-Q4_K_M.gguf"));
        try (MagiEngine engine = builder(false).build()) {
            assertThat(engine.registry().find("small-1b-q4_k_m")).isPresent();
            assertThat(engine.initialScan().get(30, TimeUnit.SECONDS).modelsAdded()).isEqualTo(1);
            assertThat(engine.registry().find("added-2b-q4_k_m")).isPresent();
        }
    }

    @Test
    @DisplayName("starts with an empty registry when the scan path does not exist")
    void missingScanPath() {
        try (MagiEngine engine = builder(false).build()) {
            assertThat(engine.registry().snapshot().models()).isEmpty();
            assertThat(engine.rescan().scanPathExists()).isFalse();
        }
    }

    @Test
    @DisplayName("stops the start on an unknown plugin name, listing the names available")
    void unknownPlugin() {
        assertThatThrownBy(() -> builder(false).set(ConfigKey.STORE, "mongo").build())
                .isInstanceOfSatisfying(MagiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("'mongo'").containsPattern("available: .*json");
                });
        assertThatThrownBy(() -> builder(false).set(ConfigKey.TIER_CLASSIFIER, "vibes").build())
                .isInstanceOfSatisfying(MagiException.class,
                        e -> assertThat(e.getMessage()).contains("'vibes'").contains("available: size"));
        assertThatThrownBy(() -> builder(false).set(ConfigKey.COMPLEXITY_SCORER, "dice").build())
                .isInstanceOfSatisfying(MagiException.class,
                        e -> assertThat(e.getMessage()).contains("'dice'").contains("available: keywords"));
        assertThatThrownBy(() -> builder(false).set(ConfigKey.LAUNCHER, "mainframe").build())
                .isInstanceOfSatisfying(MagiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("'mainframe'").contains("MAGI_LAUNCHER")
                            .containsPattern("available: .*local");
                });
    }

    @Test
    @DisplayName("runs servers with the launcher chosen by name, local by default")
    void launcherByName() {
        try (MagiEngine engine = builder(false).build()) {
            assertThat(engine.supervisor().launcherName()).isEqualTo("local");
        }
        try (MagiEngine engine = builder(false).set(ConfigKey.LAUNCHER, "LOCAL").build()) {
            assertThat(engine.supervisor().launcherName()).isEqualTo("local");
        }
    }

    @Test
    @DisplayName("scores questions for auto with the scorer chosen by name, keywords by default")
    void complexityScorerByName() {
        try (MagiEngine engine = builder(false).build()) {
            assertThat(engine.complexityScorer().name()).isEqualTo("keywords");
            assertThat(engine.complexityScorer().score("What is Python?")).isEqualTo(0.65);
        }
        try (MagiEngine engine = builder(false).set(ConfigKey.COMPLEXITY_SCORER, "KEYWORDS").build()) {
            assertThat(engine.complexityScorer().name()).isEqualTo("keywords");
        }
    }

    @Test
    @DisplayName("rebuilds the registry when its file is corrupt, keeping the file aside")
    void corruptRegistry() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        Files.createDirectories(dir.resolve("data"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        Files.writeString(dir.resolve("data/model_registry.json"), "{ torn");
        try (MagiEngine engine = builder(false).build()) {
            assertThat(engine.registry().snapshot().models()).containsOnlyKeys("small-1b-q4_k_m");
        }
        try (var files = Files.list(dir.resolve("data"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("model_registry.json.corrupt-"));
        }
    }

    @Test
    @DisplayName("rescans by itself when files under the scan path change")
    void watch() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        try (MagiEngine engine = builder(true).build()) {
            assertThat(engine.registry().snapshot().models()).isEmpty();
            Files.createDirectories(dir.resolve("models/new/deeper"));
            GgufWriter.typicalModel().writeTo(dir.resolve("models/new/deeper/Added-1B.gguf"));
            waitFor(() -> engine.registry().find("added-1b").isPresent());
            Files.delete(dir.resolve("models/new/deeper/Added-1B.gguf"));
            waitFor(() -> engine.registry().find("added-1b").isEmpty());
        }
    }

    /** Waits for a condition with a generous limit: behaviour is checked, not speed. */
    private static void waitFor(BooleanSupplier condition) {
        Eventually.await(Duration.ofSeconds(30), "the registry to follow the files", condition);
    }
}
