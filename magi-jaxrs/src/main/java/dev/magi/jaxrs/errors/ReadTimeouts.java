package dev.magi.jaxrs.errors;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;

/**
 * Recognises a request read the web container gave up on because the client stopped sending: Jetty
 * reports its idle timeout as a {@link TimeoutException} inside an {@link IOException}, Tomcat as a
 * {@link SocketTimeoutException}. Such a failure is the client's slowness (408), not a fault of MAGI.
 */
public final class ReadTimeouts {
    /** Deeper cause chains than this are not followed (a cycle, or nothing the container builds). */
    private static final int MAX_DEPTH = 16;

    private ReadTimeouts() {
    }

    /** Whether {@code failure} is, or was caused by, an I/O read that timed out. */
    public static boolean isReadTimeout(Throwable failure) {
        boolean io = false;
        Throwable cause = failure;
        for (int depth = 0; cause != null && depth < MAX_DEPTH; depth++, cause = cause.getCause()) {
            io |= cause instanceof IOException;
            if (cause instanceof SocketTimeoutException || io && cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
