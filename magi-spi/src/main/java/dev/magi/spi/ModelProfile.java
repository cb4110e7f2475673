package dev.magi.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A named set of models to run together, with the routing settings the original design carried.
 * Sections left out take the defaults of {@link #withDefaults}.
 *
 * @param name           matches {@link #NAME_PATTERN}, so it can never reach outside a directory
 * @param description    free text, or null; tabs and line breaks are kept, other control characters
 *                       are refused
 * @param enabledModels  ids of the models this profile runs (unknown ids are kept and reported); no
 *                       control characters
 * @param tierConfig     per-tier routing limits
 * @param twoStage       two-stage routing settings
 * @param loadBalancing  load-balancing settings
 */
public record ModelProfile(
        String name,
        String description,
        List<String> enabledModels,
        List<TierConfig> tierConfig,
        TwoStage twoStage,
        LoadBalancing loadBalancing) {

    /** Profile names: a letter or digit, then up to 63 letters, digits, {@code _} or {@code -}. */
    public static final Pattern NAME_PATTERN = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$");

    public static final List<TierConfig> DEFAULT_TIER_CONFIG = List.of(
            new TierConfig(Tier.FAST, 3.0, 2),
            new TierConfig(Tier.BALANCED, 7.0, 5),
            new TierConfig(Tier.POWERFUL, null, 15));

    public ModelProfile {
        requireValidName(name);
        requireText("description", description, true);
        enabledModels = enabledModels == null ? List.of() : List.copyOf(enabledModels);
        for (int i = 0; i < enabledModels.size(); i++) {
            requireText("enabledModels[" + i + "]", enabledModels.get(i), false);
        }
        tierConfig = tierConfig == null ? DEFAULT_TIER_CONFIG : List.copyOf(tierConfig);
        twoStage = twoStage == null ? TwoStage.DEFAULT : twoStage;
        loadBalancing = loadBalancing == null ? LoadBalancing.DEFAULT : loadBalancing;
    }

    /** A profile with only a name and models; every other section takes its default. */
    public static ModelProfile withDefaults(String name, String description, List<String> enabledModels) {
        return new ModelProfile(name, description, enabledModels, null, null, null);
    }

    /** Whether {@code name} is an acceptable profile name. */
    public static boolean isValidName(String name) {
        return name != null && NAME_PATTERN.matcher(name).matches();
    }

    /**
     * @throws MagiException {@link ErrorCode#INVALID_PROFILE_NAME} when the name is not acceptable
     */
    public static String requireValidName(String name) {
        if (!isValidName(name)) {
            throw new MagiException(ErrorCode.INVALID_PROFILE_NAME,
                    "Invalid profile name: use 1 to 64 letters, digits, '_' or '-', starting with a letter or digit",
                    Collections.singletonMap("profileName", name));
        }
        return name;
    }

    /**
     * Routing limits of one tier.
     *
     * @param name                the tier
     * @param maxScore            highest complexity score routed here; null means unbounded
     * @param expectedTimeSeconds expected answer time
     */
    public record TierConfig(Tier name, Double maxScore, int expectedTimeSeconds) {
        public TierConfig {
            if (name == null) {
                throw new MagiException(ErrorCode.INVALID_PROFILE, "tierConfig entry needs a tier name",
                        Map.of("field", "tierConfig.name"));
            }
            if (maxScore != null && (maxScore.isNaN() || maxScore.isInfinite())) {
                // JSON has no infinity: unbounded is null. Only +inf means unbounded; a score
                // bounded by -inf or NaN would route nothing and is a mistake in the source.
                maxScore = maxScore.isNaN() || maxScore < 0 ? invalid("tierConfig.maxScore") : null;
            }
            if (expectedTimeSeconds < 0) {
                invalid("tierConfig.expectedTimeSeconds");
            }
        }
    }

    /** Two-stage routing: a first answer from one tier, refined by another. */
    public record TwoStage(boolean enabled, Tier stage1Tier, Tier stage2Tier, int stage1MaxTokens) {
        public static final TwoStage DEFAULT = new TwoStage(false, Tier.BALANCED, Tier.POWERFUL, 500);

        public TwoStage {
            stage1Tier = stage1Tier == null ? Tier.BALANCED : stage1Tier;
            stage2Tier = stage2Tier == null ? Tier.POWERFUL : stage2Tier;
            if (stage1MaxTokens < 1) {
                invalid("twoStage.stage1MaxTokens");
            }
        }
    }

    /** Load balancing between the servers of one tier. */
    public record LoadBalancing(boolean enabled, Strategy strategy, int healthCheckInterval) {
        public static final LoadBalancing DEFAULT = new LoadBalancing(true, Strategy.ROUND_ROBIN, 30);

        public LoadBalancing {
            strategy = strategy == null ? Strategy.ROUND_ROBIN : strategy;
            if (healthCheckInterval < 1) {
                invalid("loadBalancing.healthCheckInterval");
            }
        }
    }

    /** How requests are spread over the servers of a tier. */
    public enum Strategy {
        ROUND_ROBIN, LEAST_LOADED, RANDOM;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Strategy parse(String text) {
            for (Strategy s : values()) {
                if (s.wireName().equalsIgnoreCase(text)) {
                    return s;
                }
            }
            List<String> names = new ArrayList<>();
            for (Strategy s : values()) {
                names.add(s.wireName());
            }
            throw new MagiException(ErrorCode.INVALID_PROFILE,
                    "Unknown load-balancing strategy '" + text + "': expected one of " + String.join(", ", names),
                    Collections.singletonMap("strategy", text));
        }

        @Override
        public String toString() {
            return wireName();
        }
    }

    /**
     * Refuses what YAML cannot hold as text: control characters (a description may still have tabs
     * and line breaks), lone surrogates and the non-characters U+FFFE and U+FFFF. Such a string would
     * be written as binary data and could never be read back as a profile.
     */
    private static void requireText(String field, String text, boolean lineBreaks) {
        if (text == null) {
            return;
        }
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            boolean allowed = lineBreaks && (c == '\t' || c == '\n' || c == '\r');
            if (!allowed && (Character.isISOControl(c) || c >= Character.MIN_SURROGATE
                    && c <= Character.MAX_SURROGATE || c == 0xFFFE || c == 0xFFFF)) {
                throw new MagiException(ErrorCode.INVALID_PROFILE, "Invalid value for " + field + ": the character U+"
                        + String.format(Locale.ROOT, "%04X", c) + " at position " + i + " is not text (no control"
                        + " characters" + (lineBreaks ? " other than tabs and line breaks" : "") + ")",
                        Map.of("field", field));
            }
            i += Character.charCount(c);
        }
    }

    private static <T> T invalid(String field) {
        throw new MagiException(ErrorCode.INVALID_PROFILE, "Invalid value for " + field, Map.of("field", field));
    }
}
