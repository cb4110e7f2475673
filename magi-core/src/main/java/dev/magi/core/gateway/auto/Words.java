package dev.magi.core.gateway.auto;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A text cut once into its words, in lower case, so that every word group is looked up in one pass
 * over it: the gateway scores prompts of any size a client sends, and a regular expression per group
 * over a megabyte-long prompt costs far more than this. A word is a run of letters, digits and
 * {@code _} of any script; words longer than {@link #LONGEST} are kept only as a placeholder, since no
 * entry is that long.
 */
final class Words {
    /** Longer than every word of every group ("consequently", "similarities"). */
    static final int LONGEST = 16;
    private static final String TOO_LONG = "";

    private final String text;
    private final List<String> words = new ArrayList<>();
    // Whether word i follows word i - 1 across whitespace only: a phrase matches only then.
    private final List<Boolean> spaced = new ArrayList<>();

    Words(String text) {
        this.text = text;
        int i = 0;
        boolean onlySpaceSinceLast = false;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            if (isWordChar(c)) {
                int start = i;
                while (i < text.length() && isWordChar(text.codePointAt(i))) {
                    i += Character.charCount(text.codePointAt(i));
                }
                words.add(i - start > LONGEST ? TOO_LONG : text.substring(start, i).toLowerCase(Locale.ROOT));
                spaced.add(onlySpaceSinceLast);
                onlySpaceSinceLast = true;
            } else {
                onlySpaceSinceLast &= Character.isWhitespace(c);
                i += Character.charCount(c);
            }
        }
    }

    private static boolean isWordChar(int c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    int size() {
        return words.size();
    }

    String get(int i) {
        return words.get(i);
    }

    /** Whether word {@code i} follows the word before it across whitespace only. */
    boolean spacedFromPrevious(int i) {
        return spaced.get(i);
    }

    /** The text the words were cut from, for entries that are not words (such as {@code ;}). */
    String text() {
        return text;
    }
}
