package dev.magi.testkit.classify;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.Tier;
import dev.magi.spi.TierClassifier;
import dev.magi.spi.TierThresholds;
import dev.magi.testkit.Plugins;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every tier-classification plugin keeps, as one suite that each classifier's test
 * extends: MAGI's {@code size} classifier runs it from its test, and a third party runs it against
 * its own plugin by depending on magi-testkit and extending this class. What a classifier answers is
 * its own business and its own tests'; what MAGI relies on is checked here: a tier for every model,
 * the plugin found by its name, and the same tier for the same model and thresholds, whichever
 * instance or thread asks.
 *
 * <p>The models asked about are the ones discovery can hand over, the awkward ones included: no
 * size, a size of zero, sizes on and around the thresholds, a model that knows only its file name,
 * and one with a wrong tier already assigned.
 */
public abstract class TierClassifierContract {

    /** A new instance of the plugin under test, as {@link java.util.ServiceLoader} makes one. */
    protected abstract TierClassifier classifier();

    /** The models every test asks about; a subclass may add the ones its classifier treats apart. */
    protected List<DiscoveredModel> models() {
        List<DiscoveredModel> models = new ArrayList<>();
        models.add(model("unknown-size", null).build());
        models.add(model("zero", 0.0).build());
        for (double size : new double[] {0.000_26, 0.5, 1.5, 6.99, 7, 7.01, 13.99, 14, 14.01, 70, 671, 1e6}) {
            models.add(model("size-" + size, size).build());
        }
        models.add(model("coder", 1.5).isCoder(true).isInstruct(true).family("qwen").build());
        models.add(model("thinking", 32.0).isThinkingModel(true).family("qwen").version("3").build());
        models.add(model("from-file-name", 8.0).metadataSource(MetadataSource.FILENAME).build());
        models.add(model("overridden", 3.0).assignedTier(Tier.POWERFUL).tierOverride(Tier.FAST).build());
        models.add(model("bare", null).family(null).quantization(null).architecture(null).build());
        return models;
    }

    /** The thresholds every test asks with: the defaults, and a few a user may set. */
    protected List<TierThresholds> thresholds() {
        return List.of(TierThresholds.DEFAULT, new TierThresholds(0, 0), new TierThresholds(9, 4),
                new TierThresholds(1e9, 0), new TierThresholds(30, 30));
    }

    private static DiscoveredModel.Builder model(String id, Double sizeParams) {
        return DiscoveredModel.builder(id, "/models/" + id + ".gguf", id + ".gguf").sizeParams(sizeParams)
                .family("llama").quantization("q4_k_m").architecture("llama")
                .metadataSource(MetadataSource.GGUF);
    }

    @Test
    @DisplayName("answers a tier, never null, for every model and thresholds")
    void neverNull() {
        TierClassifier classifier = classifier();
        for (TierThresholds thresholds : thresholds()) {
            for (DiscoveredModel model : models()) {
                assertThat(classifier.classify(model, thresholds)).as("%s with %s", model.modelId(), thresholds)
                        .isNotNull();
            }
        }
    }

    @Test
    @DisplayName("is found by its name through ServiceLoader")
    void discoverableByName() {
        TierClassifier classifier = classifier();
        Map<String, TierClassifier> available = Plugins.byName(TierClassifier.class, getClass().getClassLoader(),
                TierClassifier::name);
        assertThat(available).containsKey(classifier.name());
        assertThat(available.get(classifier.name())).isExactlyInstanceOf(classifier.getClass());
    }

    @Test
    @DisplayName("answers the same tier for the same model and thresholds, asked again, by another instance"
            + " or from many threads at once")
    void sameAnswer() throws Exception {
        TierClassifier first = classifier();
        List<Tier> expected = classifyAll(first);
        assertThat(classifyAll(first)).as("asked again").isEqualTo(expected);
        assertThat(classifyAll(classifier())).as("by another instance").isEqualTo(expected);

        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<List<Tier>>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(() -> {
                    List<Tier> answers = new ArrayList<>();
                    for (int round = 0; round < 50; round++) {
                        answers = classifyAll(first);
                    }
                    return answers;
                });
            }
            for (Future<List<Tier>> answers : pool.invokeAll(tasks)) {
                assertThat(answers.get()).as("from one of %d threads", threads).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** The classifier's answers for every model with every thresholds, in order. */
    private List<Tier> classifyAll(TierClassifier classifier) {
        List<Tier> answers = new ArrayList<>();
        for (TierThresholds thresholds : thresholds()) {
            for (DiscoveredModel model : models()) {
                answers.add(classifier.classify(model, thresholds));
            }
        }
        return answers;
    }
}
