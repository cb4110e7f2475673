package dev.magi.examples.classifier;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.plugin.PluginLoader;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.Tier;
import dev.magi.spi.TierClassifier;
import dev.magi.spi.TierThresholds;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.classify.TierClassifierContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MAGI's contract suite, run against this plugin: extending {@link TierClassifierContract} is all a
 * third-party classifier needs to be checked as the built-in one is (a tier for every model, found by
 * its name, the same answer for the same model). The tests below it are this classifier's own.
 */
@DisplayName("The coder tier classifier")
class CoderTierClassifierTest extends TierClassifierContract {
    private final CoderTierClassifier classifier = new CoderTierClassifier();
    private final TierThresholds thresholds = TierThresholds.DEFAULT;

    @Override
    protected TierClassifier classifier() {
        return new CoderTierClassifier();
    }

    private static DiscoveredModel model(Double billions, boolean coder) {
        return DiscoveredModel.builder("m", "/models/m.gguf", "m.gguf").sizeParams(billions).isCoder(coder).build();
    }

    @Test
    @DisplayName("puts a coding model in the powerful tier, however small")
    void coder() {
        assertThat(classifier.classify(model(1.5, true), thresholds)).isEqualTo(Tier.POWERFUL);
        assertThat(classifier.classify(model(null, true), thresholds)).isEqualTo(Tier.POWERFUL);
    }

    @Test
    @DisplayName("sorts every other model by size with the registry's thresholds")
    void bySize() {
        assertThat(classifier.classify(model(3.0, false), thresholds)).isEqualTo(Tier.FAST);
        assertThat(classifier.classify(model(7.0, false), thresholds)).isEqualTo(Tier.BALANCED);
        assertThat(classifier.classify(model(14.0, false), thresholds)).isEqualTo(Tier.POWERFUL);
        assertThat(classifier.classify(model(null, false), thresholds)).isEqualTo(Tier.BALANCED);
        assertThat(classifier.classify(model(10.0, false), new TierThresholds(9, 4))).isEqualTo(Tier.POWERFUL);
    }

    @Test
    @DisplayName("is found by its name through ServiceLoader")
    void discoverable() {
        var available = PluginLoader.create(getClass().getClassLoader(), null)
                .available(TierClassifier.class, TierClassifier::name);
        assertThat(available.get("coder")).isInstanceOf(CoderTierClassifier.class);
    }

    @Test
    @DisplayName("sorts the models MAGI discovers when --tier-classifier names it")
    void inTheEngine(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Tiny-Coder-1B-Q4_K_M.gguf"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/Tiny-Chat-1B-Q4_K_M.gguf"));
        try (MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.TIER_CLASSIFIER, "coder")
                .build()) {
            assertThat(engine.classifier()).isInstanceOf(CoderTierClassifier.class);
            assertThat(engine.registry().require("tiny-coder-1b-q4_k_m").assignedTier()).isEqualTo(Tier.POWERFUL);
            assertThat(engine.registry().require("tiny-chat-1b-q4_k_m").assignedTier()).isEqualTo(Tier.FAST);
        }
    }
}
