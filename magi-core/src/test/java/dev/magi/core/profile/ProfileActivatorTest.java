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
    @DisplayName("that lists only 50,000 unknown ids reports every one in order and disables the known model")
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
            engine.registry().setEnabled("small-1b-q4_k_m", true);
            // As many ids as the set of wanted ones: the case Set.removeAll answers by asking the
            // list about each id.
            List<String> unknown = new ArrayList<>();
            for (int i = 0; i < 50_000; i++) {
                unknown.add("ghost-" + i);
            }
            engine.profiles().create(ModelProfile.withDefaults("crowd", null, unknown));

            ProfileActivator.Result result = engine.activator().activate("crowd");

            assertThat(result.unknownModels()).containsExactlyElementsOf(unknown);
            assertThat(result.started()).isEmpty();
            assertThat(engine.registry().require("small-1b-q4_k_m").enabled()).isFalse();
            assertThat(engine.profiles().active()).contains("crowd");
        }
    }
}
