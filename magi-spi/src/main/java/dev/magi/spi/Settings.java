package dev.magi.spi;

import java.util.Map;

/**
 * Where configuration comes from, reduced to one lookup so that any source can back it: command-line
 * flags, servlet context parameters, environment variables, or a map in a test. Keys are the
 * environment-variable names of the configuration table ({@code MODEL_SCAN_PATH}, {@code MAGI_H2_URL}...).
 */
@FunctionalInterface
public interface Settings {

    /** The raw value of {@code key}, or null when this source does not set it. */
    String get(String key);

    /** The value of {@code key}, or {@code defaultValue} when it is not set or blank. */
    default String get(String key, String defaultValue) {
        String value = get(key);
        return value == null || value.isBlank() ? defaultValue : value;
    }

    /** Settings read from a map. */
    static Settings of(Map<String, String> values) {
        Map<String, String> copy = Map.copyOf(values);
        return copy::get;
    }

    /** The first source that sets a key wins. */
    default Settings orElse(Settings fallback) {
        return key -> {
            String value = get(key);
            return value != null ? value : fallback.get(key);
        };
    }
}
