package dev.magi.core.gateway.auto;

import dev.magi.spi.ComplexityScorer;
import dev.magi.testkit.score.ComplexityScorerContract;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The built-in scorer: the golden scores of the original function, whole words, and the contract. */
@DisplayName("The keywords complexity scorer")
class KeywordComplexityScorerTest extends ComplexityScorerContract {
    private final KeywordComplexityScorer scorer = new KeywordComplexityScorer();

    @Override
    protected ComplexityScorer scorer() {
        return new KeywordComplexityScorer();
    }

    @ParameterizedTest(name = "\"{0}\" scores {1}")
    @DisplayName("scores the questions the contract gives as examples exactly")
    @CsvSource(delimiter = '|', value = {
        "What is Python?                  | 0.65",
        "Analyze X and compare Y          | 7.25",
    })
    void goldenExamples(String text, double expected) {
        assertThat(scorer.score(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" scores {1}")
    @DisplayName("adds 0.05 a word, the first level found from the hardest down, and each marker")
    @CsvSource(delimiter = '|', value = {
        // nothing at all: no words, no level (1.0)
        "''                                         | 1.0",
        // a level beats the easier ones the text also holds: design (5.0), not what is (0.5)
        "What is the design of X                    | 5.3",
        "Describe a cat                             | 2.15",
        "List the planets                           | 0.65",
        // markers: parts 2.0, conditions 1.0, reasoning 1.5, enumeration 1.0, several '?' 1.5
        "Suppose it rains                           | 2.15",
        "It failed because of X                     | 2.75",
        "Solve it step by step                      | 2.25",
        "a;b                                        | 3.05",
        "Why? How? Where?                           | 2.65",
        "First, explain why it fails if it rains, and therefore what to do? | 8.15",
    })
    void sumsTheParts(String text, double expected) {
        assertThat(scorer.score(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" scores {1}")
    @DisplayName("counts words and phrases only as whole words, in any letter case and spacing")
    @CsvSource(delimiter = '|', value = {
        // "name" inside "filename", "and" inside "android", "or" inside "order": none counts
        "Open the filename                | 1.15",
        "android order                    | 1.1",
        "Name the file                    | 0.65",
        "NAME THE FILE                    | 0.65",
        // a letter of another script next to the word hides it too
        "éname                            | 1.05",
        // a phrase across any whitespace, but not glued to other words
        "'How  DOES it work'              | 2.2",
        "showdoes it work                 | 1.15",
        "how, does it work                | 1.2",
        "Analyzed X                       | 1.1",
    })
    void wholeWords(String text, double expected) {
        assertThat(scorer.score(text)).isEqualTo(expected);
    }

    @Test
    @DisplayName("rounds so that 40 plain words score exactly 3.0 and meet the fast tier's limit")
    void roundsToCompareExactly() {
        assertThat(scorer.score("word ".repeat(40))).isEqualTo(3.0);
        assertThat(scorer.score("word ".repeat(60))).isEqualTo(4.0);
    }

    @Test
    @DisplayName("matches a phrase across tabs and line breaks")
    void phraseAcrossWhitespace() {
        assertThat(scorer.score("how\tdoes it\nwork")).isEqualTo(2.2);
    }

    @Test
    @DisplayName("counts whitespace-separated words, whatever the whitespace")
    void countsWords() {
        assertThat(KeywordComplexityScorer.wordCount("")).isZero();
        assertThat(KeywordComplexityScorer.wordCount("  \n\t ")).isZero();
        assertThat(KeywordComplexityScorer.wordCount(" one\ttwo\n\nthree  ")).isEqualTo(3);
    }
}
