package dev.magi.core.profile.format;

import dev.magi.core.util.AtomicFiles;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.TierConfig;
import dev.magi.spi.ModelProfile.TwoStage;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 *
 * <p>This class is the way in: it reads the bytes and the YAML safely and writes profiles back;
 * {@link ProfileConverter} knows the layouts of a profile and {@link YamlSection} reads typed values.
 */
public final class ProfileYaml {

    /** The largest profile accepted, in bytes of a file or characters of a text. */
    public static final int MAX_BYTES = 1024 * 1024;

    /** Extensions of profile files; the first is the one written. */
    static final List<String> EXTENSIONS = List.of(".yaml", ".yml");

    // A profile is a few levels deep and has no use for aliases beyond sharing a list or two, so
    // these limits cost nothing legitimate and stop alias bombs and stack exhaustion early.
    private static final int MAX_ALIASES = 20;
    private static final int MAX_DEPTH = 16;

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
        ProfileSource source = new ProfileSource("Profile", null);
        return new ProfileConverter(source).profile(load(yaml, source), name);
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
        return new ProfileConverter(new ProfileSource("Profile", null)).profile(tree, name);
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
        ProfileSource source = new ProfileSource("Profile file '" + fileName + "'", fileName);
        String name = profileNameOf(fileName);
        if (!ModelProfile.isValidName(name)) {
            throw new MagiException(ErrorCode.INVALID_PROFILE_NAME,
                    source.label() + ": the file name is not a valid profile name (use 1 to 64 letters, digits,"
                            + " '_' or '-', starting with a letter or digit, then .yaml or .yml)",
                    source.details(null));
        }
        return new ProfileConverter(source).profile(load(readText(file, source), source), name);
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

    private static String readText(Path file, ProfileSource source) {
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

    private static MagiException tooLarge(ProfileSource source, long size) {
        return new MagiException(ErrorCode.INVALID_PROFILE,
                source.label() + " is too large (" + size + " bytes; the limit is " + MAX_BYTES + ")",
                source.details(null));
    }

    private static Object load(String text, ProfileSource source) {
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
            throw source.invalid(null, "is not valid YAML: " + describe(e, source.fileName() == null), e);
        } catch (YAMLException e) {
            throw source.invalid(null, "is not valid YAML: " + oneLine(e.getMessage()), e);
        } catch (RuntimeException e) {
            // Value constructors (numbers, timestamps, binary) may throw their own exceptions; their
            // messages are not meant for users.
            throw source.invalid(null, "is not valid YAML: a value cannot be read", e);
        }
    }

    /**
     * The parser's words, or for a file only where it went wrong: the parser's problem may quote the
     * text (an alias, a key, a character), and a file's text is not the caller's to read.
     */
    private static String describe(MarkedYAMLException e, boolean quotesText) {
        StringBuilder text = new StringBuilder();
        if (quotesText && e.getContext() != null) {
            text.append(oneLine(e.getContext())).append(": ");
        }
        text.append(!quotesText || e.getProblem() == null ? "syntax error" : oneLine(e.getProblem()));
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
}
