package dev.magi.core.gateway.auto;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Words and phrases that count together, matched as whole words in any letter case: "name" counts in
 * "Name three rivers" but not in "filename", and "how does" in "How  does" but not in "showdoes" or
 * "how, does". An entry that is not made of letters (such as {@code ;}) matches wherever it appears.
 */
final class WordGroup {
    private final double weight;
    // Each phrase (a single word is a phrase of one) under its first word, so a text is looked up once.
    private final Map<String, List<String[]>> phrasesByFirstWord = new HashMap<>();
    private final List<String> symbols = new ArrayList<>();

    WordGroup(double weight, String... entries) {
        this.weight = weight;
        for (String entry : entries) {
            if (entry.chars().allMatch(c -> Character.isLetter(c) || c == ' ')) {
                String[] phrase = entry.toLowerCase(Locale.ROOT).split(" ");
                phrasesByFirstWord.computeIfAbsent(phrase[0], first -> new ArrayList<>()).add(phrase);
            } else {
                symbols.add(entry);
            }
        }
    }

    /** What the group adds to a score. */
    double weight() {
        return weight;
    }

    /** Whether any of the group's entries appears in {@code words}. */
    boolean foundIn(Words words) {
        for (String symbol : symbols) {
            if (words.text().contains(symbol)) {
                return true;
            }
        }
        for (int i = 0; i < words.size(); i++) {
            List<String[]> phrases = phrasesByFirstWord.get(words.get(i));
            if (phrases != null) {
                for (String[] phrase : phrases) {
                    if (startsAt(phrase, words, i)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean startsAt(String[] phrase, Words words, int start) {
        if (start + phrase.length > words.size()) {
            return false;
        }
        for (int k = 1; k < phrase.length; k++) {
            if (!words.spacedFromPrevious(start + k) || !phrase[k].equals(words.get(start + k))) {
                return false;
            }
        }
        return true;
    }
}
