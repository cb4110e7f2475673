package dev.magi.core.profile.format;

import dev.magi.core.util.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.Strategy;
import dev.magi.spi.ModelProfile.TierConfig;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;

/**
 * Converts between profile YAML and {@link ModelProfile}.
 *
 * <p>Reading accepts MAGI's camelCase keys and the original project's layout (snake_case keys, a
 * nested {@code profile: {name, description}} block, {@code tiers} for {@code tierConfig}, and the
 * tier list also written as a map keyed by tier). Sections and fields left out take the defaults of
 * {@link ModelProfile}; {@code maxScore: .inf} or {@code null} means unbounded. Parsing is safe
 * against hostile input: only plain YAML types, no tags, few aliases, shallow nesting and at most
 * {@link #MAX_BYTES}. Every problem is a {@link MagiException} with {@link ErrorCode#INVALID_PROFILE}
 * (or {@link ErrorCode#INVALID_PROFILE_NAME}) whose message names the source and the field.
 *
 * <p>Writing produces block-style camelCase YAML that this class reads back to an equal profile.
 */
public final class ProfileYaml {

    /** The largest profile accepted, in bytes of a file or characters of a text. */
    public static final int MAX_BYTES = 1024 * 1024;

    /** Extensions of profile files; the first is the one written. */
    static final List<String> EXTENSIONS = List.of(".yaml", ".yml");

    private static final Logger LOG = LoggerFactory.getLogger(ProfileYaml.class);

    // A profile is a few levels deep and has no use for aliases beyond sharing a list or two, so
    // these limits cost nothing legitimate and stop alias bombs and stack exhaustion early.
    private static final int MAX_ALIASES = 20;
    private static final int MAX_DEPTH = 16;
    private static final int MAX_MESSAGE_TEXT = 60;

    private static final List<String> TIER_NAMES = Arrays.stream(Tier.values()).map(Tier::wireName).toList();
    private static final List<String> STRATEGY_NAMES =
            Arrays.stream(ModelProfile.Strategy.values()).map(ModelProfile.Strategy::wireName).toList();

    private ProfileYaml() {
    }

    /**
     * Reads a profile whose name is given by the YAML itself.
     *
     * @throws MagiException {@link ErrorCode#INVALID_PROFILE} when the text is not a valid profile,
     *                       {@link ErrorCode#INVALID_PROFILE_NAME} when its name is not acceptable
     */
    public static ModelProfile parse(String yaml) {
        return parse(yaml, null);
    }

    /**
     * Reads a profile; {@code name}, when not null, is the profile's name whatever the YAML says.
     *
     * @throws MagiException {@link ErrorCode#INVALID_PROFILE} when the text is not a valid profile,
     *                       {@link ErrorCode#INVALID_PROFILE_NAME} when the name is not acceptable
     */
    public static ModelProfile parse(String yaml, String name) {
        if (name != null) {
            ModelProfile.requireValidName(name);
        }
        Source source = new Source("Profile", null);
        return new Converter(source).profile(load(yaml, source), name);
    }

    /**
     * Reads a profile from plain objects (maps, lists, strings, numbers, booleans), such as a JSON
     * request body converted by Jackson; the same rules and messages as for YAML apply.
     *
     * @param name when not null, the profile's name whatever the tree says
     */
    public static ModelProfile fromTree(Object tree, String name) {
        if (name != null) {
            ModelProfile.requireValidName(name);
        }
        return new Converter(new Source("Profile", null)).profile(tree, name);
    }

    /**
     * Reads a profile file. The profile's name is the file name without {@code .yaml} or {@code .yml};
     * when the YAML names itself otherwise, the file name wins and a warning is logged.
     *
     * @throws MagiException {@link ErrorCode#PROFILE_NOT_FOUND} when the file does not exist,
     *                       {@link ErrorCode#INVALID_PROFILE} when it is too large or not a valid profile,
     *                       {@link ErrorCode#INVALID_PROFILE_NAME} when its name is not acceptable,
     *                       {@link ErrorCode#STORAGE_FAILED} when it cannot be read
     */
    public static ModelProfile read(Path file) {
        String fileName = file.getFileName().toString();
        Source source = new Source("Profile file '" + fileName + "'", fileName);
        String name = profileNameOf(fileName);
        if (!ModelProfile.isValidName(name)) {
            throw new MagiException(ErrorCode.INVALID_PROFILE_NAME,
                    source.label() + ": the file name is not a valid profile name (use 1 to 64 letters, digits,"
                            + " '_' or '-', starting with a letter or digit, then .yaml or .yml)",
                    source.details(null));
        }
        return new Converter(source).profile(load(readText(file, source), source), name);
    }

    /** Writes a profile as block-style camelCase YAML; an unbounded {@code maxScore} is {@code .inf}. */
    public static String write(ModelProfile profile) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", profile.name());
        if (profile.description() != null) {
            doc.put("description", profile.description());
        }
        doc.put("enabledModels", profile.enabledModels());
        List<Map<String, Object>> tiers = new ArrayList<>();
        for (TierConfig tier : profile.tierConfig()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", tier.name().wireName());
            entry.put("maxScore", tier.maxScore() == null ? Double.POSITIVE_INFINITY : tier.maxScore());
            entry.put("expectedTimeSeconds", tier.expectedTimeSeconds());
            tiers.add(entry);
        }
        doc.put("tierConfig", tiers);
        TwoStage twoStage = profile.twoStage();
        Map<String, Object> two = new LinkedHashMap<>();
        two.put("enabled", twoStage.enabled());
        two.put("stage1Tier", twoStage.stage1Tier().wireName());
        two.put("stage2Tier", twoStage.stage2Tier().wireName());
        two.put("stage1MaxTokens", twoStage.stage1MaxTokens());
        doc.put("twoStage", two);
        LoadBalancing balancing = profile.loadBalancing();
        Map<String, Object> lb = new LinkedHashMap<>();
        lb.put("enabled", balancing.enabled());
        lb.put("strategy", balancing.strategy().wireName());
        lb.put("healthCheckInterval", balancing.healthCheckInterval());
        doc.put("loadBalancing", lb);

        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setSplitLines(false);
        options.setLineBreak(DumperOptions.LineBreak.UNIX);
        options.setAllowUnicode(true);
        return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options).dump(doc);
    }

    /** The profile name a file name stands for, or null when it has no profile extension. */
    static String profileNameOf(String fileName) {
        for (String extension : EXTENSIONS) {
            if (fileName.endsWith(extension) && fileName.length() > extension.length()) {
                return fileName.substring(0, fileName.length() - extension.length());
            }
        }
        return null;
    }

    private static String readText(Path file, Source source) {
        byte[] bytes;
        try {
            if (!Files.exists(file)) {
                throw new MagiException(ErrorCode.PROFILE_NOT_FOUND, source.label() + " not found",
                        source.details(null));
            }
            // A directory or a FIFO named like a profile must not block or confuse the reader.
            if (!Files.isRegularFile(file)) {
                throw source.invalid(null, "is not a regular file", null);
            }
            // Checked before reading so a huge file costs nothing; the bounded read below catches a
            // file that grows in between.
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw tooLarge(source, size);
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw new MagiException(ErrorCode.PROFILE_NOT_FOUND, source.label() + " not found",
                    source.details(null), e);
        } catch (IOException e) {
            throw new MagiException(ErrorCode.STORAGE_FAILED,
                    source.label() + " cannot be read: " + AtomicFiles.describe(e), source.details(null), e);
        }
        if (bytes.length > MAX_BYTES) {
            throw tooLarge(source, bytes.length);
        }
        int start = bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF ? 3 : 0;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, start, bytes.length - start))
                    .toString();
        } catch (CharacterCodingException e) {
            throw source.invalid(null, "is not UTF-8 text", e);
        }
    }

    private static MagiException tooLarge(Source source, long size) {
        return new MagiException(ErrorCode.INVALID_PROFILE,
                source.label() + " is too large (" + size + " bytes; the limit is " + MAX_BYTES + ")",
                source.details(null));
    }

    private static Object load(String text, Source source) {
        if (text == null) {
            throw source.invalid(null, "is empty", null);
        }
        if (text.length() > MAX_BYTES) {
            throw tooLarge(source, text.length());
        }
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_BYTES);
        options.setAllowDuplicateKeys(false);
        // The default already refuses global tags; said again so no later default change can open
        // the door to constructing arbitrary classes.
        options.setTagInspector(tag -> false);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            throw source.invalid(null, "is not valid YAML: " + describe(e), e);
        } catch (YAMLException e) {
            throw source.invalid(null, "is not valid YAML: " + oneLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            // Value constructors (numbers, timestamps, binary) may throw their own exceptions; their
            // messages are not meant for users.
            throw source.invalid(null, "is not valid YAML: a value cannot be read", e);
        }
    }

    private static String describe(MarkedYAMLException e) {
        StringBuilder text = new StringBuilder();
        if (e.getContext() != null) {
            text.append(oneLine(e.getContext())).append(": ");
        }
        text.append(e.getProblem() == null ? "syntax error" : oneLine(e.getProblem()));
        Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
        if (mark != null) {
            text.append(" (line ").append(mark.getLine() + 1).append(", column ").append(mark.getColumn() + 1)
                    .append(')');
        }
        return text.toString();
    }

    private static String oneLine(String text) {
        if (text == null) {
            return "syntax error";
        }
        String line = text.strip().replaceAll("\\s+", " ");
        // Parser messages may quote input (an alias name, a key); a hostile file must not make the
        // error message huge.
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /** Where the YAML came from, for messages and details. */
    private record Source(String label, String fileName) {

        Map<String, Object> details(String field) {
            Map<String, Object> details = new LinkedHashMap<>();
            if (fileName != null) {
                details.put("file", fileName);
            }
            if (field != null) {
                details.put("field", field);
            }
            return details;
        }

        MagiException invalid(String field, String problem, Throwable cause) {
            String subject = field == null ? label : label + ": " + field;
            return new MagiException(ErrorCode.INVALID_PROFILE, subject + " " + problem, details(field), cause);
        }

        MagiException notAllowed(String field, Object value, List<String> allowed) {
            Map<String, Object> details = details(field);
            details.put("allowed", allowed);
            return new MagiException(ErrorCode.INVALID_PROFILE,
                    label + ": " + field + " is " + show(value) + "; expected one of " + String.join(", ", allowed),
                    details);
        }

        MagiException wrongType(String field, Object value, String expected) {
            return invalid(field, "must be " + expected + ", not " + show(value), null);
        }
    }

    /** Turns the plain objects SnakeYAML builds into a profile, naming the field of every problem. */
    private static final class Converter {
        private final Source source;

        Converter(Source source) {
            this.source = source;
        }

        ModelProfile profile(Object root, String fixedName) {
            if (root == null) {
                throw source.invalid(null, "is empty", null);
            }
            Section top = section(root, null);
            if (top == null) {
                throw source.wrongType("the document", root, "a map of profile settings");
            }
            Section block = top.section("profile");
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
                            clip(ownName), fixedName);
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

        private List<TierConfig> tiers(Section top) {
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
                    Section entry = section(list.get(i), itemField);
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
                    String key = keyText(item.getKey(), field);
                    String itemField = field + "." + key;
                    Tier tier = parseTier(key, itemField);
                    Object settings = item.getValue() == null ? Map.of() : item.getValue();
                    Section entry = section(settings, itemField);
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

        private TierConfig tierConfig(Section entry, Tier tier, Set<Tier> seen, String listField) {
            if (!seen.add(tier)) {
                throw source.invalid(listField, "lists the tier '" + tier.wireName() + "' twice", null);
            }
            TierConfig defaults = defaultsOf(tier);
            Double maxScore = entry.has("maxScore") ? entry.score("maxScore") : defaults.maxScore();
            int expected = entry.wholeNumber("expectedTimeSeconds", defaults.expectedTimeSeconds(), 0);
            entry.ignoreOthers(Set.of("name", "maxScore", "expectedTimeSeconds"));
            return new TierConfig(tier, maxScore, expected);
        }

        private TwoStage twoStage(Section section) {
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

        private LoadBalancing loadBalancing(Section section) {
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

        private Tier parseTier(String text, String field) {
            for (Tier tier : Tier.values()) {
                if (tier.wireName().equalsIgnoreCase(text.strip())) {
                    return tier;
                }
            }
            throw source.notAllowed(field, text, TIER_NAMES);
        }

        /** The map at {@code value} as a section, or null when it is not a map. */
        private Section section(Object value, String path) {
            return value instanceof Map<?, ?> map ? new Section(map, path) : null;
        }

        private String keyText(Object key, String path) {
            // Complex keys ([a, b]: x) could be large aliased structures; a profile has no use for them.
            if (key == null || key instanceof String || key instanceof Number || key instanceof Boolean) {
                return String.valueOf(key);
            }
            throw source.invalid(path, "has a key that is not text", null);
        }

        /** One map of the document, with keys matched in camelCase, snake_case or any letter case. */
        private final class Section {
            private final String path;
            private final Map<String, String> writtenKeys = new LinkedHashMap<>();
            private final Map<String, Object> values = new LinkedHashMap<>();

            Section(Map<?, ?> map, String path) {
                this.path = path;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    String written = keyText(entry.getKey(), path);
                    String key = canonical(written);
                    String earlier = writtenKeys.putIfAbsent(key, written);
                    if (earlier != null) {
                        throw source.invalid(childPath(written), "is given twice (also as '" + clip(earlier) + "')",
                                null);
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

            Section section(String name) {
                Object value = raw(name);
                if (value == null) {
                    return null;
                }
                Section section = Converter.this.section(value, field(name));
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
                    throw source.invalid(field(name), "is too large: " + clip(number.toString()), null);
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
                    throw source.invalid(field(name), "must be a number or .inf, not " + show(value), null);
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
                return parseTier(text, field(name));
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
                        LOG.warn("{}: ignoring the unknown key {}", source.label(), clip(childPath(key.getValue())));
                    }
                }
            }

            private String childPath(String key) {
                return path == null ? key : path + "." + key;
            }
        }
    }

    /** The key every spelling of a field maps to: {@code enabled_models} and {@code enabledModels} alike. */
    private static String canonical(String key) {
        String plain = key.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
        // The original project called the tier list "tiers".
        return plain.equals("tiers") ? "tierconfig" : plain;
    }

    private static TierConfig defaultsOf(Tier tier) {
        for (TierConfig config : ModelProfile.DEFAULT_TIER_CONFIG) {
            if (config.name() == tier) {
                return config;
            }
        }
        throw new IllegalStateException("no default for tier " + tier);
    }

    /** A value as a person would recognise it, never its full text or structure (which may be huge or cyclic). */
    private static String show(Object value) {
        if (value == null) {
            return "empty";
        }
        if (value instanceof String text) {
            return "'" + clip(text) + "'";
        }
        if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return d.isNaN() ? ".nan" : d > 0 ? ".inf" : "-.inf";
        }
        if (value instanceof Boolean || value instanceof Number) {
            return clip(value.toString());
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof Map<?, ?>) {
            return "a map";
        }
        if (value instanceof Collection<?>) {
            return "a set";
        }
        if (value instanceof byte[]) {
            return "binary data";
        }
        if (value instanceof java.util.Date) {
            return "a date";
        }
        return "a value of another kind";
    }

    private static String clip(String text) {
        return text.length() > MAX_MESSAGE_TEXT ? text.substring(0, MAX_MESSAGE_TEXT) + "..." : text;
    }
}
