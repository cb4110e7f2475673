package dev.magi.core.profile.format;

import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.TierConfig;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the plain objects SnakeYAML (or Jackson) builds into a profile, naming the field of every
 * problem. It holds what a profile document looks like: MAGI's flat camelCase layout and the
 * original project's, with its nested {@code profile: {name, description}} block and its tier list
 * written as a map keyed by tier. Reading the values themselves is {@link YamlSection}'s job, so this
 * class is only about which sections and fields a profile has and what they default to.
 */
final class ProfileConverter {
    // Logged under ProfileYaml: the name a user knows for profile parsing.
    private static final Logger LOG = LoggerFactory.getLogger(ProfileYaml.class);

    private final ProfileSource source;

    ProfileConverter(ProfileSource source) {
        this.source = source;
    }

    ModelProfile profile(Object root, String fixedName) {
        if (root == null) {
            throw source.invalid(null, "is empty", null);
        }
        YamlSection top = YamlSection.of(root, null, source);
        if (top == null) {
            throw source.wrongType("the document", root, "a map of profile settings");
        }
        YamlSection block = top.section("profile");
        String ownName = top.has("name") ? top.name("name") : block != null ? block.name("name") : null;
        String description = top.has("description") ? top.text("description")
                : block != null ? block.text("description") : null;
        if (block != null) {
            block.ignoreOthers(Set.of("name", "description"));
        }

        String name;
        if (fixedName != null) {
            name = fixedName;
            if (ownName != null && !ownName.equals(fixedName)) {
                LOG.warn("{} calls itself '{}'; using the name '{}' from the file name", source.label(),
                        ProfileSource.clip(ownName), fixedName);
            }
        } else if (ownName == null) {
            throw source.invalid("name", "is missing", null);
        } else {
            name = ownName;
        }

        List<String> enabledModels = top.textList("enabledModels");
        List<TierConfig> tierConfig = top.has("tierConfig") ? tiers(top) : null;
        TwoStage twoStage = twoStage(top.section("twoStage"));
        LoadBalancing loadBalancing = loadBalancing(top.section("loadBalancing"));
        top.ignoreOthers(Set.of("name", "description", "profile", "enabledModels", "tierConfig", "twoStage",
                "loadBalancing"));
        try {
            return new ModelProfile(name, description, enabledModels, tierConfig, twoStage, loadBalancing);
        } catch (MagiException e) {
            // The records check values too; say where they came from.
            Map<String, Object> details = source.details(null);
            details.putAll(e.details());
            throw new MagiException(e.code(), source.label() + ": " + e.getMessage(), details, e);
        }
    }

    private List<TierConfig> tiers(YamlSection top) {
        Object value = top.raw("tierConfig");
        String field = top.field("tierConfig");
        if (value == null) {
            return null;
        }
        List<TierConfig> tiers = new ArrayList<>();
        Set<Tier> seen = EnumSet.noneOf(Tier.class);
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String itemField = field + "[" + i + "]";
                YamlSection entry = YamlSection.of(list.get(i), itemField, source);
                if (entry == null) {
                    throw source.wrongType(itemField, list.get(i),
                            "a map with name, maxScore and expectedTimeSeconds");
                }
                if (entry.raw("name") == null) {
                    throw source.invalid(entry.field("name"), "is missing", null);
                }
                Tier tier = entry.tier("name", null);
                tiers.add(tierConfig(entry, tier, seen, field));
            }
        } else if (value instanceof Map<?, ?> map) {
            // The tiers written as a map keyed by tier name: {fast: {maxScore: 3.0, ...}, ...}.
            for (Map.Entry<?, ?> item : map.entrySet()) {
                String key = YamlSection.keyText(item.getKey(), field, source);
                String itemField = field + "." + key;
                Tier tier = YamlSection.parseTier(key, itemField, source);
                Object settings = item.getValue() == null ? Map.of() : item.getValue();
                YamlSection entry = YamlSection.of(settings, itemField, source);
                if (entry == null) {
                    throw source.wrongType(itemField, settings, "a map with maxScore and expectedTimeSeconds");
                }
                if (entry.raw("name") != null && entry.tier("name", tier) != tier) {
                    throw source.invalid(entry.field("name"), "does not match the tier '" + key + "' it is under",
                            null);
                }
                tiers.add(tierConfig(entry, tier, seen, field));
            }
        } else {
            throw source.wrongType(field, value, "a list of tiers");
        }
        return tiers;
    }

    private TierConfig tierConfig(YamlSection entry, Tier tier, Set<Tier> seen, String listField) {
        if (!seen.add(tier)) {
            throw source.invalid(listField, "lists the tier '" + tier.wireName() + "' twice", null);
        }
        TierConfig defaults = defaultsOf(tier);
        Double maxScore = entry.has("maxScore") ? entry.score("maxScore") : defaults.maxScore();
        int expected = entry.wholeNumber("expectedTimeSeconds", defaults.expectedTimeSeconds(), 0);
        entry.ignoreOthers(Set.of("name", "maxScore", "expectedTimeSeconds"));
        return new TierConfig(tier, maxScore, expected);
    }

    private TwoStage twoStage(YamlSection section) {
        if (section == null) {
            return null;
        }
        TwoStage d = TwoStage.DEFAULT;
        TwoStage result = new TwoStage(
                section.bool("enabled", d.enabled()),
                section.tier("stage1Tier", d.stage1Tier()),
                section.tier("stage2Tier", d.stage2Tier()),
                section.wholeNumber("stage1MaxTokens", d.stage1MaxTokens(), 1));
        section.ignoreOthers(Set.of("enabled", "stage1Tier", "stage2Tier", "stage1MaxTokens"));
        return result;
    }

    private LoadBalancing loadBalancing(YamlSection section) {
        if (section == null) {
            return null;
        }
        LoadBalancing d = LoadBalancing.DEFAULT;
        LoadBalancing result = new LoadBalancing(
                section.bool("enabled", d.enabled()),
                section.strategy("strategy", d.strategy()),
                section.wholeNumber("healthCheckInterval", d.healthCheckInterval(), 1));
        section.ignoreOthers(Set.of("enabled", "strategy", "healthCheckInterval"));
        return result;
    }

    private static TierConfig defaultsOf(Tier tier) {
        for (TierConfig config : ModelProfile.DEFAULT_TIER_CONFIG) {
            if (config.name() == tier) {
                return config;
            }
        }
        throw new IllegalStateException("no default for tier " + tier);
    }
}
