package dev.magi.core.discovery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/**
 * Model ids: the file's base name in lower case with every character outside {@code [a-z0-9._-]}
 * replaced by {@code -}; on a collision or a {@linkplain #RESERVED reserved} name, the id plus {@code -} and 8 hex digits of the SHA-256 of
 * the path relative to the scan path. Never the tier: ids must survive a threshold change.
 */
public final class ModelIds {

    /**
     * The fixed first path segments of the routes under {@code /api/models} ({@code registry},
     * {@code servers}, {@code profiles}...). A model with such an id could never be reached: its
     * {@code /api/models/ID} and {@code /api/models/ID/...} requests go to the fixed route instead.
     * A file asking for one of these ids gets the hashed id, as on a collision. Adding a route with a
     * new fixed segment means adding it here; the API's tests check that none is missing.
     */
    public static final Set<String> RESERVED = Set.of("disable-all", "enable-all", "events", "health",
            "port-range", "profiles", "registry", "rescan", "servers", "tier-thresholds", "tiers");

    /**
     * The names the gateway reads as something other than one model: the tiers and {@code auto}. A
     * model with such an id could never be asked for by it, so such a file gets the hashed id too.
     */
    public static final Set<String> VIRTUAL_MODEL_NAMES = Set.of("fast", "balanced", "powerful", "auto");

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

    /** Whether {@code id} is taken by a fixed route or a virtual model name, so no model may have it. */
    public static boolean isReserved(String id) {
        return RESERVED.contains(id) || VIRTUAL_MODEL_NAMES.contains(id);
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
