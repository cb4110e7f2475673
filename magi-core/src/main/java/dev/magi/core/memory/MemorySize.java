package dev.magi.core.memory;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them in settings: {@code 24G}, {@code 512M}, {@code 1.5T}, {@code 8GiB} or a
 * number of bytes. The suffixes are binary (K = 1024), as memory is sold and as {@code free -h} shows
 * it; letter case and a trailing {@code B} or {@code iB} do not matter.
 */
public final class MemorySize {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]?)(?:I?B)?");
    private static final String UNITS = "KMGT";

    private MemorySize() {
    }

    /**
     * The number of bytes {@code text} names, more than 0.
     *
     * @throws IllegalArgumentException with a message fit for the user, naming what was expected
     */
    public static long parse(String text) {
        String trimmed = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        Matcher matcher = SIZE.matcher(trimmed);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: expected bytes or a number with K, M,"
                    + " G or T, such as 24G or 512M");
        }
        BigDecimal bytes = new BigDecimal(matcher.group(1));
        String unit = matcher.group(2);
        if (!unit.isEmpty()) {
            bytes = bytes.multiply(BigDecimal.valueOf(1L << (10 * (UNITS.indexOf(unit) + 1))));
        }
        if (bytes.compareTo(BigDecimal.ONE) < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a size: it must be at least 1 byte");
        }
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large a size");
        }
        return bytes.longValue();
    }

    /** {@code bytes} for people: {@code 1.5 GiB}, {@code 512 MiB}, {@code 900 B}. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = Math.min(UNITS.length(), (63 - Long.numberOfLeadingZeros(bytes)) / 10);
        double value = bytes / (double) (1L << (10 * unit));
        String number = String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
        return number.replaceAll("\\.0$", "") + " " + UNITS.charAt(unit - 1) + "iB";
    }
}
