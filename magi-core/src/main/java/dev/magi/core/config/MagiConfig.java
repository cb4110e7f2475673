package dev.magi.core.config;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.PortRange;
import dev.magi.spi.Settings;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The typed configuration of one MAGI engine, read once from a {@link Settings} source with the
 * defaults of {@link ConfigKey}. A bad value fails here, at start, with one line naming the setting.
 */
public record MagiConfig(
        String host,
        int port,
        Path scanPath,
        Path registryPath,
        Path profilesPath,
        String store,
        String tierClassifier,
        String complexityScorer,
        String launcher,
        Path pluginsDir,
        Path llamaServerPath,
        String llamaHost,
        List<String> llamaArgs,
        PortRange portRange,
        Duration maxStartupTime,
        Duration readinessInterval,
        Duration stopTimeout,
        String activeProfile,
        boolean watch,
        String apiKey,
        List<String> allowedHosts,
        List<String> allowedOrigins,
        int maxEventStreams,
        Duration httpIdleTimeout,
        Duration requestBodyTimeout,
        boolean gateway,
        int queueLimit,
        Duration queueTimeout,
        Duration idleTtl,
        Duration healthCheckInterval,
        Settings source) {

    public MagiConfig {
        llamaArgs = List.copyOf(llamaArgs);
        allowedHosts = List.copyOf(allowedHosts);
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    /** Requests that may wait for servers in all; one model's queue is never longer. */
    public static final int MAX_QUEUE_LIMIT = 512;

    private static final Pattern HOST_ENTRY =
            Pattern.compile("(\\[[0-9a-f:.]+]|[a-z0-9_.-]+)(:[0-9]{1,5})?");
    private static final Pattern ORIGIN_ENTRY =
            Pattern.compile("https?://(\\[[0-9a-f:.]+]|[a-z0-9_.-]+)(:[0-9]{1,5})?");

    /** Reads every setting from {@code settings}, falling back to the defaults. */
    public static MagiConfig from(Settings settings) {
        Reader r = new Reader(settings);
        Path registryPath = r.path(ConfigKey.REGISTRY_PATH);
        Path profilesPath = r.path(ConfigKey.PROFILES_PATH);
        Path scanPath = r.path(ConfigKey.SCAN_PATH);
        // Plugins read the same keys; hand them the resolved absolute paths so they agree with the engine.
        Map<String, String> resolved = new HashMap<>();
        resolved.put(ConfigKey.REGISTRY_PATH.variable(), registryPath.toString());
        resolved.put(ConfigKey.PROFILES_PATH.variable(), profilesPath.toString());
        resolved.put(ConfigKey.SCAN_PATH.variable(), scanPath.toString());
        Settings pluginSettings = Settings.of(resolved).orElse(settings);
        return new MagiConfig(
                r.text(ConfigKey.HOST),
                r.integer(ConfigKey.PORT, 0, 65535),
                scanPath,
                registryPath,
                profilesPath,
                r.text(ConfigKey.STORE).toLowerCase(Locale.ROOT),
                r.text(ConfigKey.TIER_CLASSIFIER).toLowerCase(Locale.ROOT),
                r.text(ConfigKey.COMPLEXITY_SCORER).toLowerCase(Locale.ROOT),
                r.text(ConfigKey.LAUNCHER).toLowerCase(Locale.ROOT),
                r.optionalPath(ConfigKey.PLUGINS_DIR),
                r.llamaServer(),
                r.text(ConfigKey.LLAMA_HOST),
                r.arguments(ConfigKey.LLAMA_ARGS),
                r.portRange(),
                r.seconds(ConfigKey.MAX_STARTUP_TIME),
                r.seconds(ConfigKey.READINESS_INTERVAL),
                r.seconds(ConfigKey.STOP_TIMEOUT),
                r.optionalText(ConfigKey.ACTIVE_PROFILE),
                r.bool(ConfigKey.WATCH),
                r.apiKey(),
                r.allowedHosts(),
                r.allowedOrigins(),
                r.integer(ConfigKey.MAX_EVENT_STREAMS, 1, 100_000),
                r.seconds(ConfigKey.HTTP_IDLE_TIMEOUT),
                r.seconds(ConfigKey.REQUEST_BODY_TIMEOUT),
                r.bool(ConfigKey.GATEWAY),
                r.integer(ConfigKey.QUEUE_LIMIT, 1, MAX_QUEUE_LIMIT),
                r.seconds(ConfigKey.QUEUE_TIMEOUT),
                r.secondsOrNever(ConfigKey.IDLE_TTL),
                r.optionalSeconds(ConfigKey.HEALTH_CHECK_INTERVAL),
                pluginSettings);
    }

    /** Settings made of the process environment. */
    public static Settings environment() {
        return System::getenv;
    }

    private static final class Reader {
        private final Settings settings;

        Reader(Settings settings) {
            this.settings = settings;
        }

        String optionalText(ConfigKey key) {
            String value = settings.get(key.variable(), key.defaultValue());
            return value == null || value.isBlank() ? null : value.trim();
        }

        String text(ConfigKey key) {
            String value = optionalText(key);
            if (value == null) {
                throw bad(key, "", "a value is required");
            }
            return value;
        }

        int integer(ConfigKey key, int min, int max) {
            String value = text(key);
            try {
                int number = Integer.parseInt(value);
                if (number < min || number > max) {
                    throw bad(key, value, "expected a whole number from " + min + " to " + max);
                }
                return number;
            } catch (NumberFormatException e) {
                throw bad(key, value, "expected a whole number from " + min + " to " + max);
            }
        }

        /** The setting in seconds, or null when it is not set (so that another source decides). */
        Duration optionalSeconds(ConfigKey key) {
            return optionalText(key) == null ? null : seconds(key);
        }

        Duration seconds(ConfigKey key) {
            String value = text(key);
            try {
                double seconds = Double.parseDouble(value);
                if (!(seconds > 0) || seconds > 86_400) {
                    throw bad(key, value, "expected a number of seconds above 0 and at most 86400");
                }
                return Duration.ofMillis(Math.round(seconds * 1000));
            } catch (NumberFormatException e) {
                throw bad(key, value, "expected a number of seconds, such as 10 or 0.5");
            }
        }

        /** Like {@link #seconds}, but 0 is allowed and means never. */
        Duration secondsOrNever(ConfigKey key) {
            String value = text(key);
            try {
                double seconds = Double.parseDouble(value);
                if (!(seconds >= 0) || seconds > 31_536_000) {
                    throw bad(key, value, "expected a number of seconds from 0 (never) to 31536000");
                }
                return Duration.ofMillis(Math.round(seconds * 1000));
            } catch (NumberFormatException e) {
                throw bad(key, value, "expected a number of seconds, such as 900 or 0 for never");
            }
        }

        boolean bool(ConfigKey key) {
            String value = text(key).toLowerCase(Locale.ROOT);
            switch (value) {
                case "true": case "yes": case "on": case "1":
                    return true;
                case "false": case "no": case "off": case "0":
                    return false;
                default:
                    throw bad(key, value, "expected true or false");
            }
        }

        Path path(ConfigKey key) {
            return toPath(key, text(key));
        }

        Path optionalPath(ConfigKey key) {
            String value = optionalText(key);
            return value == null ? null : toPath(key, value);
        }

        Path toPath(ConfigKey key, String value) {
            String expanded = value;
            if (expanded.equals("~") || expanded.startsWith("~/")) {
                expanded = System.getProperty("user.home") + expanded.substring(1);
            }
            try {
                return Path.of(expanded).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw bad(key, value, "not a valid path");
            }
        }

        PortRange portRange() {
            String value = text(ConfigKey.PORT_RANGE);
            try {
                return PortRange.parse(value);
            } catch (MagiException e) {
                throw bad(ConfigKey.PORT_RANGE, value, "expected START-END within 1024-65535, such as 8080-8099");
            }
        }

        Path llamaServer() {
            String value = optionalText(ConfigKey.LLAMA_SERVER);
            if (value != null) {
                return toPath(ConfigKey.LLAMA_SERVER, value);
            }
            String pathVariable = System.getenv("PATH");
            if (pathVariable != null) {
                for (String dir : pathVariable.split(File.pathSeparator)) {
                    if (dir.isEmpty()) {
                        continue;
                    }
                    try {
                        Path candidate = Path.of(dir, "llama-server");
                        if (Files.isExecutable(candidate)) {
                            return candidate.toAbsolutePath();
                        }
                    } catch (InvalidPathException ignored) {
                        // A malformed PATH entry cannot hold the binary.
                    }
                }
            }
            return Path.of("/usr/local/bin/llama-server");
        }

        /** The key of {@code --api-key} or read from {@code --api-key-file}, never both; null when neither. */
        String apiKey() {
            String key = optionalText(ConfigKey.API_KEY);
            String file = optionalText(ConfigKey.API_KEY_FILE);
            if (file == null) {
                return key;
            }
            if (key != null) {
                // Which one was meant cannot be guessed, and a silent choice would lock the user out.
                throw new MagiException(ErrorCode.INVALID_CONFIGURATION, "Both " + ConfigKey.API_KEY.flag() + " / "
                        + ConfigKey.API_KEY.variable() + " and " + ConfigKey.API_KEY_FILE.flag() + " / "
                        + ConfigKey.API_KEY_FILE.variable() + " are set: give only one",
                        Map.of("setting", ConfigKey.API_KEY_FILE.variable()));
            }
            Path path = toPath(ConfigKey.API_KEY_FILE, file);
            if (!Files.exists(path)) {
                throw bad(ConfigKey.API_KEY_FILE, file, "no such file");
            }
            if (!Files.isRegularFile(path)) {
                throw bad(ConfigKey.API_KEY_FILE, file, "not a regular file");
            }
            String content;
            try {
                content = Files.readString(path, StandardCharsets.UTF_8).strip();
            } catch (IOException | UncheckedIOException e) {
                throw bad(ConfigKey.API_KEY_FILE, file, "the file cannot be read as UTF-8 text");
            }
            if (content.isEmpty()) {
                throw bad(ConfigKey.API_KEY_FILE, file, "the file is empty");
            }
            return content;
        }

        List<String> arguments(ConfigKey key) {
            String value = optionalText(key);
            return value == null ? List.of() : splitArguments(value);
        }

        /** Host names, lower-cased, each with or without a port; {@code *} alone allows any. */
        List<String> allowedHosts() {
            List<String> hosts = new ArrayList<>();
            for (String entry : list(ConfigKey.ALLOWED_HOSTS)) {
                if (!entry.equals("*") && !HOST_ENTRY.matcher(entry).matches()) {
                    throw bad(ConfigKey.ALLOWED_HOSTS, entry,
                            "expected host names such as magi.example or magi.example:8000, or *");
                }
                hosts.add(entry);
            }
            return hosts;
        }

        /** Origins as browsers send them, {@code scheme://host[:port]}, lower-cased; {@code *} alone allows any. */
        List<String> allowedOrigins() {
            List<String> origins = new ArrayList<>();
            for (String entry : list(ConfigKey.ALLOWED_ORIGINS)) {
                String origin = entry.endsWith("/") ? entry.substring(0, entry.length() - 1) : entry;
                if (!origin.equals("*") && !ORIGIN_ENTRY.matcher(origin).matches()) {
                    throw bad(ConfigKey.ALLOWED_ORIGINS, entry,
                            "expected origins such as https://magi.example or http://10.0.0.5:8000, or *");
                }
                origins.add(origin);
            }
            return origins;
        }

        private List<String> list(ConfigKey key) {
            String value = optionalText(key);
            List<String> entries = new ArrayList<>();
            if (value != null) {
                for (String part : value.split(",")) {
                    if (!part.isBlank()) {
                        entries.add(part.trim().toLowerCase(Locale.ROOT));
                    }
                }
            }
            return entries;
        }

        private MagiException bad(ConfigKey key, String value, String expectation) {
            return new MagiException(ErrorCode.INVALID_CONFIGURATION,
                    "Invalid value '" + value + "' for " + key.flag() + " / " + key.variable() + ": " + expectation,
                    Map.of("setting", key.variable()));
        }
    }

    /**
     * Splits an argument string the way a shell would for plain words and quotes, without ever
     * invoking a shell: {@code --flash-attn -c "4096"} gives three arguments.
     */
    static List<String> splitArguments(String text) {
        List<String> args = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    current.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    args.add(current.toString());
                    current.setLength(0);
                    inWord = false;
                }
            } else {
                current.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new MagiException(ErrorCode.INVALID_CONFIGURATION,
                    "Invalid value for --llama-args / LLAMA_SERVER_ARGS: unbalanced quote",
                    Map.of("setting", ConfigKey.LLAMA_ARGS.variable()));
        }
        if (inWord) {
            args.add(current.toString());
        }
        return args;
    }
}
