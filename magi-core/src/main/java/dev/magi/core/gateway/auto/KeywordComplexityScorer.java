package dev.magi.core.gateway.auto;

import dev.magi.spi.ComplexityScorer;

import java.util.List;

/**
 * The built-in {@code keywords} scorer, the original project's function with one fix: words and
 * phrases count only as whole words (the original matched substrings, so "filename" counted as
 * "name"). A text scores
 * <ul>
 *   <li>0.05 per whitespace-separated word, so length alone moves a question up slowly;</li>
 *   <li>plus the weight of the first level whose words it holds, checked from the hardest down
 *       (5.0, 2.0, 0.5), or 1.0 when it holds none: an "analyze" question is hard even if it also
 *       asks "what is";</li>
 *   <li>plus each marker it holds: several parts 2.0, conditions 1.0, reasoning 1.5, enumeration
 *       1.0, and 1.5 for more than one question mark.</li>
 * </ul>
 * "What is Python?" scores 0.65 and "Analyze X and compare Y" 7.25. The score is rounded to four
 * decimals so that it compares exactly with a tier's {@code maxScore} (0.05 times 60 words is 3.0,
 * not 3.0000000000000004).
 */
public final class KeywordComplexityScorer implements ComplexityScorer {
    public static final String NAME = "keywords";

    private static final double PER_WORD = 0.05;
    private static final double NO_LEVEL = 1.0;
    private static final double SEVERAL_QUESTIONS = 1.5;

    /** Checked in this order; only the first found counts. */
    private static final List<WordGroup> LEVELS = List.of(
            new WordGroup(5.0, "analyze", "evaluate", "assess", "design", "architect", "synthesize", "critique",
                    "propose", "develop", "formulate", "justify", "argue", "defend", "refute"),
            new WordGroup(2.0, "explain", "describe", "compare", "summarize", "how does", "how do", "why does",
                    "why do", "difference between", "similarities between", "contrast", "overview of"),
            new WordGroup(0.5, "what is", "what are", "define", "definition of", "who is", "who was", "when was",
                    "when did", "where is", "where was", "list", "name"));

    /** Each found adds its weight. */
    private static final List<WordGroup> MARKERS = List.of(
            new WordGroup(2.0, "and", "then", "also", "or", "but", ";"),
            new WordGroup(1.0, "if", "when", "assuming", "suppose", "given that"),
            new WordGroup(1.5, "because", "therefore", "thus", "hence", "consequently"),
            new WordGroup(1.0, "first", "second", "third", "step by step", "stages"));

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(String text) {
        Words words = new Words(text);
        double score = PER_WORD * wordCount(text) + level(words);
        for (WordGroup marker : MARKERS) {
            if (marker.foundIn(words)) {
                score += marker.weight();
            }
        }
        if (text.indexOf('?') != text.lastIndexOf('?')) {
            score += SEVERAL_QUESTIONS;
        }
        return Math.round(score * 10_000) / 10_000.0;
    }

    private static double level(Words words) {
        for (WordGroup level : LEVELS) {
            if (level.foundIn(words)) {
                return level.weight();
            }
        }
        return NO_LEVEL;
    }

    /** Whitespace-separated words, counted without splitting a possibly long text into strings. */
    static int wordCount(String text) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return words;
    }
}
