package dev.magi.spi;

import java.util.Collections;
import java.util.Locale;

/** The three tiers a model is sorted into; their wire names are lower case. */
public enum Tier {
    FAST, BALANCED, POWERFUL;

    // Computed once: the registry's JSON asks for it several times per model.
    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The name used in JSON, YAML and URLs. */
    public String wireName() {
        return wireName;
    }

    /**
     * Parses a wire name in any letter case.
     *
     * @throws MagiException with {@link ErrorCode#INVALID_TIER} when the text names no tier
     */
    public static Tier parse(String text) {
        if (text != null) {
            for (Tier tier : values()) {
                if (tier.wireName().equalsIgnoreCase(text.trim())) {
                    return tier;
                }
            }
        }
        throw new MagiException(ErrorCode.INVALID_TIER,
                "Invalid tier '" + text + "': expected one of fast, balanced, powerful",
                Collections.singletonMap("tier", text));
    }

    @Override
    public String toString() {
        return wireName();
    }
}
