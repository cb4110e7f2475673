package dev.magi.core.naming;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cuts a model name into words. Splitting on every separator would break {@code Q4_K_M} and
 * {@code 0.5B}, so quantization names are recognised before splitting and a dot between two
 * digits stays inside its word.
 */
final class Tokenizer {
    // The Unsloth "dynamic" quantizations are ordinary llama.cpp types under a marketing prefix.
    private static final String UNSLOTH_PREFIX = "ud";

    private final List<String> quantizationsLongestFirst;

    Tokenizer(Set<String> quantizations) {
        // Longest first, so that q2_k_s wins over q2_k at the same position.
        this.quantizationsLongestFirst = quantizations.stream()
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    List<Token> tokenize(String name) {
        String text = name.toLowerCase(Locale.ROOT);
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (isSeparator(text.charAt(i))) {
                i++;
                continue;
            }
            QuantizationMatch match = quantizationWithPrefixAt(text, i);
            if (match != null) {
                tokens.add(new Token(match.name(), true));
                i = match.end();
            } else {
                int end = wordEnd(text, i);
                tokens.add(new Token(text.substring(i, end), false));
                i = end;
            }
        }
        return tokens;
    }

    private record QuantizationMatch(String name, int end) {
    }

    /** The quantization name at {@code start}, after an optional {@code ud-} prefix, or null. */
    private QuantizationMatch quantizationWithPrefixAt(String text, int start) {
        if (startsWithUnslothPrefix(text, start)) {
            int nameStart = start + UNSLOTH_PREFIX.length() + 1;
            String quantization = quantizationAt(text, nameStart);
            if (quantization != null) {
                return new QuantizationMatch(quantization, nameStart + quantization.length());
            }
        }
        String quantization = quantizationAt(text, start);
        return quantization == null ? null : new QuantizationMatch(quantization, start + quantization.length());
    }

    private static boolean startsWithUnslothPrefix(String text, int start) {
        int after = start + UNSLOTH_PREFIX.length();
        return text.startsWith(UNSLOTH_PREFIX, start)
                && after < text.length()
                && (text.charAt(after) == '-' || text.charAt(after) == '_');
    }

    /** The quantization name at {@code start} that ends on a word boundary, or null. */
    private String quantizationAt(String text, int start) {
        for (String quantization : quantizationsLongestFirst) {
            int end = start + quantization.length();
            if (text.startsWith(quantization, start) && (end == text.length() || isSeparator(text.charAt(end)))) {
                return quantization;
            }
        }
        return null;
    }

    private static int wordEnd(String text, int start) {
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '.' && i > start && isDigit(text.charAt(i - 1))
                    && i + 1 < text.length() && isDigit(text.charAt(i + 1))) {
                i++;
            } else if (isSeparator(c)) {
                break;
            } else {
                i++;
            }
        }
        return i;
    }

    static boolean isSeparator(char c) {
        return c == '-' || c == '_' || c == '.' || Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    // ASCII only: the numbers are parsed as decimals, and other scripts' digits are no size.
    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
