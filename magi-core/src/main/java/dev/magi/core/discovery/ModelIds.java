package dev.magi.core.discovery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Model ids: the file's base name in lower case with every character outside {@code [a-z0-9._-]}
 * replaced by {@code -}; on a collision, the id plus {@code -} and 8 hex digits of the SHA-256 of
 * the path relative to the scan path. Never the tier: ids must survive a threshold change.
 */
public final class ModelIds {

    private ModelIds() {
    }

    /** The id a file's base name (no {@code .gguf}, no split suffix) asks for. */
    public static String fromBaseName(String baseName) {
        String lower = baseName.toLowerCase(Locale.ROOT);
        StringBuilder id = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            id.append(allowed ? c : '-');
        }
        // An id made only of dots would read as a path step in a URL ("/api/models/../tier").
        if (id.length() == 0 || id.chars().allMatch(c -> c == '.')) {
            return "model" + id.toString().replace('.', '-');
        }
        return id.toString();
    }

    /** The collision suffix: {@code -} and the first 8 hex digits of SHA-256(relative path). */
    public static String withPathHash(String id, String relativePath) {
        return id + "-" + hash8(relativePath);
    }

    static String hash8(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
