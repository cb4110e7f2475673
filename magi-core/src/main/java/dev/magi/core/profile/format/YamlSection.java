package dev.magi.core.profile.format;

import dev.magi.spi.ModelProfile.Strategy;
import dev.magi.spi.Tier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One map of a profile document read as typed values (text, whole numbers, scores, tiers, lists),
 * with keys matched in camelCase, snake_case or any letter case. Every value arrives as an untyped
 * object that may be anything a hostile file can say, so each getter checks the type and range and
 * answers with a message naming the field; keeping that here lets {@link ProfileConverter} read a
 * profile as plainly as a record.
 */
final class YamlSection {
    // Logged under ProfileYaml: the name a user knows for profile parsing.
    private static final Logger LOG = LoggerFactory.getLogger(ProfileYaml.class);

    private static final List<String> TIER_NAMES = Arrays.stream(Tier.values()).map(Tier::wireName).toList();
    private static final List<String> STRATEGY_NAMES =
            Arrays.stream(Strategy.values()).map(Strategy::wireName).toList();

    private final String path;
    private final ProfileSource source;
    private final Map<String, String> writtenKeys = new LinkedHashMap<>();
    private final Map<String, Object> values = new LinkedHashMap<>();

    private YamlSection(Map<?, ?> map, String path, ProfileSource source) {
        this.path = path;
        this.source = source;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String written = keyText(entry.getKey(), path, source);
            String key = canonical(written);
            String earlier = writtenKeys.putIfAbsent(key, written);
            if (earlier != null) {
                throw source.invalid(childPath(written),
                        "is given twice (also as '" + ProfileSource.clip(earlier) + "')", null);
            }
            values.put(key, entry.getValue());
        }
    }

    boolean has(String name) {
        return writtenKeys.containsKey(canonical(name));
    }

    Object raw(String name) {
        return values.get(canonical(name));
    }

    /** The field's path as the document wrote it, for messages. */
    String field(String name) {
        String written = writtenKeys.get(canonical(name));
        return childPath(written == null ? name : written);
    }

    YamlSection section(String name) {
        Object value = raw(name);
        if (value == null) {
            return null;
        }
        YamlSection section = of(value, field(name), source);
        if (section == null) {
            throw source.wrongType(field(name), value, "a map");
        }
        return section;
    }

    String text(String name) {
        Object value = raw(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw source.wrongType(field(name), value, "text");
    }

    /** Names may be all digits ({@code name: 2024}), which YAML reads as a number. */
    String name(String name) {
        Object value = raw(name);
        if (value instanceof Integer || value instanceof Long || value instanceof BigInteger) {
            return value.toString();
        }
        return text(name);
    }

    boolean bool(String name, boolean fallback) {
        Object value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw source.wrongType(field(name), value, "true or false");
    }

    int wholeNumber(String name, int fallback, int min) {
        Object value = raw(name);
        if (value == null) {
            return fallback;
        }
        BigInteger number;
        if (value instanceof Integer || value instanceof Long) {
            number = BigInteger.valueOf(((Number) value).longValue());
        } else if (value instanceof BigInteger big) {
            number = big;
        } else if (value instanceof Double d && !d.isInfinite() && d == Math.rint(d)) {
            number = BigInteger.valueOf(d.longValue());
        } else {
            throw source.wrongType(field(name), value, "a whole number");
        }
        if (number.compareTo(BigInteger.valueOf(min)) < 0) {
            throw source.invalid(field(name), "must be at least " + min + ", not " + number, null);
        }
        if (number.compareTo(BigInteger.valueOf(Integer.MAX_VALUE)) > 0) {
            throw source.invalid(field(name), "is too large: " + ProfileSource.clip(number.toString()), null);
        }
        return number.intValue();
    }

    /** A score: a number, or {@code .inf} / null for unbounded. */
    Double score(String name) {
        Object value = raw(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number number)) {
            throw source.wrongType(field(name), value, "a number or .inf");
        }
        double score = number.doubleValue();
        // Only a written .inf means unbounded; a huge literal that overflows to infinity is a mistake.
        boolean overflowed = Double.isInfinite(score) && !(value instanceof Double d && d.isInfinite());
        if (Double.isNaN(score) || score == Double.NEGATIVE_INFINITY || overflowed) {
            throw source.invalid(field(name), "must be a number or .inf, not " + source.describe(value), null);
        }
        return score == Double.POSITIVE_INFINITY ? null : score;
    }

    Tier tier(String name, Tier fallback) {
        Object value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String text)) {
            throw source.wrongType(field(name), value, "a tier name (" + String.join(", ", TIER_NAMES) + ")");
        }
        return parseTier(text, field(name), source);
    }

    Strategy strategy(String name, Strategy fallback) {
        Object value = raw(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof String text) {
            for (Strategy strategy : Strategy.values()) {
                if (strategy.wireName().equalsIgnoreCase(text.strip())) {
                    return strategy;
                }
            }
        }
        throw source.notAllowed(field(name), value, STRATEGY_NAMES);
    }

    List<String> textList(String name) {
        Object value = raw(name);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw source.wrongType(field(name), value, "a list of model ids");
        }
        List<String> texts = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String text)) {
                throw source.wrongType(field(name) + "[" + i + "]", list.get(i), "a model id");
            }
            texts.add(text);
        }
        return texts;
    }

    /** Unknown keys are tolerated, so newer files still load, but a typo should not go unseen. */
    void ignoreOthers(Set<String> known) {
        for (Map.Entry<String, String> key : writtenKeys.entrySet()) {
            boolean isKnown = known.stream().anyMatch(k -> canonical(k).equals(key.getKey()));
            if (!isKnown) {
                LOG.warn("{}: ignoring the unknown key {}", source.label(),
                        ProfileSource.clip(childPath(key.getValue())));
            }
        }
    }

    private String childPath(String key) {
        return path == null ? key : path + "." + key;
    }

    /** The map at {@code value} as a section, or null when it is not a map. */
    static YamlSection of(Object value, String path, ProfileSource source) {
        return value instanceof Map<?, ?> map ? new YamlSection(map, path, source) : null;
    }

    static String keyText(Object key, String path, ProfileSource source) {
        // Complex keys ([a, b]: x) could be large aliased structures; a profile has no use for them.
        if (key == null || key instanceof String || key instanceof Number || key instanceof Boolean) {
            return String.valueOf(key);
        }
        throw source.invalid(path, "has a key that is not text", null);
    }

    static Tier parseTier(String text, String field, ProfileSource source) {
        for (Tier tier : Tier.values()) {
            if (tier.wireName().equalsIgnoreCase(text.strip())) {
                return tier;
            }
        }
        throw source.notAllowed(field, text, TIER_NAMES);
    }

    /** The key every spelling of a field maps to: {@code enabled_models} and {@code enabledModels} alike. */
    private static String canonical(String key) {
        String plain = key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        // The original project called the tier list "tiers".
        return plain.equals("tiers") ? "tierconfig" : plain;
    }
}
