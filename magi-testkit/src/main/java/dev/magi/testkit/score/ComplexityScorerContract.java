package dev.magi.testkit.score;

import dev.magi.spi.ComplexityScorer;
import dev.magi.testkit.Plugins;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every complexity-scorer plugin keeps, as one suite that each scorer's test extends:
 * MAGI's {@code keywords} scorer runs it from its test, and a third party runs it against its own
 * plugin by depending on magi-testkit and extending this class. What a question deserves is each
 * scorer's own business; what the gateway relies on is checked here: a finite score of at least 0 for
 * any text a client can send, the plugin found by its lower-case name, and the same score for the same
 * text, whichever instance or thread asks.
 *
 * <p>The texts asked about are what clients send, the awkward ones included: nothing, only spaces, a
 * long prompt, control characters, scripts other than Latin, emoji and a lone surrogate.
 */
public abstract class ComplexityScorerContract {

    /** A new instance of the plugin under test, as {@link java.util.ServiceLoader} makes one. */
    protected abstract ComplexityScorer scorer();

    /** The texts every test scores; a subclass may add the ones its scorer treats apart. */
    protected List<String> texts() {
        List<String> texts = new ArrayList<>(List.of("", " ", "\n\t ", "?", "???", "What is Python?",
                "Analyze the trade-offs of three caching designs and compare them step by step.",
                "hello\u0000world\u0007", "Что такое Python?", "Python とは何ですか？", "🦙🦙🦙 why?",
                "broken \uD800 surrogate", "filename", "a;b;c"));
        texts.add("word ".repeat(200_000));
        texts.add("x".repeat(1 << 20));
        return texts;
    }

    @Test
    @DisplayName("scores every text with a finite number of at least 0")
    void finiteScores() {
        ComplexityScorer scorer = scorer();
        for (String text : texts()) {
            double score = scorer.score(text);
            assertThat(Double.isFinite(score)).as("score of %s is finite", abbreviated(text)).isTrue();
            assertThat(score).as("score of %s", abbreviated(text)).isGreaterThanOrEqualTo(0.0);
        }
    }

    @Test
    @DisplayName("has a lower-case name and is found by it through ServiceLoader")
    void discoverableByName() {
        ComplexityScorer scorer = scorer();
        assertThat(scorer.name()).isNotBlank().isEqualTo(scorer.name().toLowerCase(Locale.ROOT));
        Map<String, ComplexityScorer> available = Plugins.byName(ComplexityScorer.class,
                getClass().getClassLoader(), ComplexityScorer::name);
        assertThat(available).containsKey(scorer.name());
        assertThat(available.get(scorer.name())).isExactlyInstanceOf(scorer.getClass());
    }

    @Test
    @DisplayName("gives the same score for the same text, asked again, by another instance or from many"
            + " threads at once")
    void sameScore() throws Exception {
        ComplexityScorer first = scorer();
        List<Double> expected = scoreAll(first);
        assertThat(scoreAll(first)).as("asked again").isEqualTo(expected);
        assertThat(scoreAll(scorer())).as("by another instance").isEqualTo(expected);

        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<List<Double>>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(() -> {
                    List<Double> scores = new ArrayList<>();
                    for (int round = 0; round < 2; round++) {
                        scores = scoreAll(first);
                    }
                    return scores;
                });
            }
            for (Future<List<Double>> scores : pool.invokeAll(tasks)) {
                assertThat(scores.get()).as("from one of %d threads", threads).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    private List<Double> scoreAll(ComplexityScorer scorer) {
        List<Double> scores = new ArrayList<>();
        for (String text : texts()) {
            scores.add(scorer.score(text));
        }
        return scores;
    }

    private static String abbreviated(String text) {
        return text.length() <= 40 ? '"' + text + '"' : '"' + text.substring(0, 40) + "...\" (" + text.length()
                + " chars)";
    }
}
