package dev.magi.core.binary;

import java.util.Optional;

/**
 * Reads what {@code llama-server --version} writes (on stderr, among whatever else a build prints
 * first, such as backends loading):
 * <pre>
 * version: 0.7.0 (build 11669, commit Debian)
 * built with GNU 16.2.0 for Linux x86_64
 * </pre>
 * Upstream builds say {@code version: 4567 (abc1234)} and {@code built with cc (GCC) 13.2 for x86_64-linux-gnu}.
 */
final class VersionOutput {
    private static final String VERSION = "version:";
    private static final String BUILT_WITH = "built with ";
    /** A line longer than this is not a version line: garbage is not shown as one. */
    private static final int MAX_VALUE_CHARS = 200;

    private VersionOutput() {
    }

    /** The version of the binary at {@code path} as its output says it, if the output has a version line. */
    static Optional<LlamaServerVersion> parse(String path, String output) {
        String version = null;
        String build = null;
        for (String raw : output.split("\\R")) {
            String line = raw.strip();
            if (version == null && line.startsWith(VERSION)) {
                version = shown(line.substring(VERSION.length()));
            } else if (build == null && line.startsWith(BUILT_WITH)) {
                build = shown(line.substring(BUILT_WITH.length()));
            }
        }
        return version == null ? Optional.empty() : Optional.of(LlamaServerVersion.known(path, version, build));
    }

    private static String shown(String value) {
        String text = value.strip();
        if (text.isEmpty() || text.length() > MAX_VALUE_CHARS || text.chars().anyMatch(Character::isISOControl)) {
            return null;
        }
        return text;
    }
}
