package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;

import java.net.URI;

/**
 * The part of an {@code /upstream/{id}/...} request passed on to the model's server: the path as the
 * client encoded it, and its query string, unchanged. A path that could climb out of the server's root
 * once decoded ({@code ..} or {@code .} as a segment, plain or percent-encoded, an encoded slash or
 * backslash, a control character, a broken escape) is refused: llama-server serves files from a
 * directory with {@code --path}, and what MAGI passes on must stay within what it means to expose.
 */
final class UpstreamPath {
    private UpstreamPath() {
    }

    /**
     * @param encodedPath the path after {@code /upstream/{id}}, percent-encoded as received; empty or
     *                    starting with {@code /}
     * @param rawQuery    the query string as received, null when none
     * @return what to request of the server, starting with {@code /}
     * @throws GatewayException {@code invalid_path}
     */
    static String of(String encodedPath, String rawQuery) {
        String path = encodedPath == null || encodedPath.isEmpty() ? "/" : encodedPath;
        if (!path.startsWith("/")) {
            throw refused(path, "it must start with /");
        }
        for (String segment : path.substring(1).split("/", -1)) {
            String decoded = decode(segment, path);
            if (decoded.equals(".") || decoded.equals("..")) {
                throw refused(path, "'.' and '..' may not be segments of it");
            }
            for (int i = 0; i < decoded.length(); i++) {
                char c = decoded.charAt(i);
                if (c == '/' || c == '\\') {
                    throw refused(path, "an encoded slash or backslash may not be part of it");
                }
                if (Character.isISOControl(c)) {
                    throw refused(path, "it may not hold control characters");
                }
            }
        }
        if (rawQuery != null && rawQuery.chars().anyMatch(Character::isISOControl)) {
            throw refused(path, "its query may not hold control characters");
        }
        String target = rawQuery == null ? path : path + "?" + rawQuery;
        try {
            // What the HTTP client will be asked to request: a character a lenient container let through
            // ('{', '|', '^', a broken escape in the query) must be refused here, not fail the sending.
            URI.create("http://server" + target);
        } catch (IllegalArgumentException e) {
            throw refused(path, "it is not a valid URI (" + e.getMessage().replaceAll("\\p{Cntrl}", "?") + ")");
        }
        return target;
    }

    /** Percent-decodes one segment (each escape a byte; only ASCII matters to the checks). */
    private static String decode(String segment, String path) {
        StringBuilder decoded = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                decoded.append(c);
                continue;
            }
            if (i + 2 >= segment.length() || Character.digit(segment.charAt(i + 1), 16) < 0
                    || Character.digit(segment.charAt(i + 2), 16) < 0) {
                throw refused(path, "it holds a broken percent escape");
            }
            decoded.append((char) Integer.parseInt(segment.substring(i + 1, i + 3), 16));
            i += 2;
        }
        return decoded.toString();
    }

    private static GatewayException refused(String path, String why) {
        return new GatewayException(GatewayError.INVALID_PATH, "The path '" + path.replaceAll("\\p{Cntrl}", "?")
                + "' cannot be passed to a model's server: " + why, null, null);
    }
}
