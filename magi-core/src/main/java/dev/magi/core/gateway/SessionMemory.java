package dev.magi.core.gateway;

import dev.magi.spi.Tier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which model and tier served each session last ({@code X-Session-Id}, or the request's {@code user}),
 * so that a multi-turn chat keeps its server and llama-server's prompt cache, and an {@code auto}
 * session never moves down a tier within {@link #DEFAULT_TIER_HOLD}: a follow-up "and why?" scores
 * low but belongs to a hard conversation. Holds at most a fixed number of sessions, forgetting the
 * least recently seen, so clients that invent a session per request cannot grow it.
 */
public final class SessionMemory {
    public static final Duration DEFAULT_TIER_HOLD = Duration.ofMinutes(30);
    /** A session id longer than this is kept as its digest. */
    static final int MAX_KEPT_CHARS = 128;

    private record Served(String modelId, Tier tier, Instant at) {
    }

    private final Clock clock;
    private final Duration tierHold;
    private final Map<String, Served> sessions;

    /**
     * The key a session is kept under: itself when short, else a digest of it, so that the sessions kept
     * cost a bounded number of bytes whatever a client sends as its session id or {@code user}.
     */
    static String key(String session) {
        if (session.length() <= MAX_KEPT_CHARS) {
            return session;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(session.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    public SessionMemory(int capacity, Duration tierHold, Clock clock) {
        this.clock = clock;
        this.tierHold = tierHold;
        this.sessions = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Served> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Remembers that {@code modelId}, of {@code tier}, served {@code session} now. */
    public synchronized void served(String session, String modelId, Tier tier) {
        if (session != null) {
            sessions.put(key(session), new Served(modelId, tier, clock.instant()));
        }
    }

    /** The model that served {@code session} last. */
    public synchronized Optional<String> lastModel(String session) {
        Served served = session == null ? null : sessions.get(key(session));
        return served == null ? Optional.empty() : Optional.of(served.modelId());
    }

    /** The lowest tier {@code auto} may choose for {@code session}: its last tier, within the hold. */
    public synchronized Optional<Tier> tierFloor(String session) {
        Served served = session == null ? null : sessions.get(key(session));
        if (served == null || served.at().plus(tierHold).isBefore(clock.instant())) {
            return Optional.empty();
        }
        return Optional.of(served.tier());
    }

    synchronized int size() {
        return sessions.size();
    }
}
