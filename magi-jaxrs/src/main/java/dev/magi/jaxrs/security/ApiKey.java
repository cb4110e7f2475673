package dev.magi.jaxrs.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * MAGI's API key, compared as SHA-256 digests with {@link MessageDigest#isEqual}, in constant time
 * whatever the lengths.
 */
final class ApiKey {
    private final byte[] expectedDigest;

    ApiKey(String key) {
        this.expectedDigest = digest(key);
    }

    /** The key a request presents: {@code X-API-Key}, else a bearer token; null when neither. */
    static String presented(String xApiKey, String authorization) {
        if (xApiKey == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return xApiKey;
    }

    boolean matches(String presented) {
        return MessageDigest.isEqual(expectedDigest, digest(presented));
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
