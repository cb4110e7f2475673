package dev.magi.core.profile;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.spi.ModelProfile;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Activating a profile")
class ProfileActivatorTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("with 50,000 unknown ids enables the known model and reports every unknown id in order")
    void manyUnknownIds() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Small-1B-Q4_K_M.gguf"));
        try (MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.LLAMA_SERVER, dir.resolve("no-llama-server").toString())
                .set(ConfigKey.WATCH, "false")
                .build()) {
            List<String> unknown = new ArrayList<>();
            for (int i = 0; i < 50_000; i++) {
                unknown.add("ghost-" + i);
            }
            List<String> listed = new ArrayList<>(unknown);
            listed.add("small-1b-q4_k_m");
            engine.profiles().create(ModelProfile.withDefaults("crowd", null, listed));

            ProfileActivator.Result result = engine.activator().activate("crowd");

            assertThat(result.unknownModels()).containsExactlyElementsOf(unknown);
            assertThat(engine.registry().require("small-1b-q4_k_m").enabled()).isTrue();
            assertThat(engine.profiles().active()).contains("crowd");
        }
    }
}
