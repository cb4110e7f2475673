package dev.magi.core.supervision;

/**
 * What the gateway sends a server: the requests it serves now, those waiting for one of its slots,
 * its slots, and the requests it has taken since MAGI started. The supervisor does not know it; the
 * gateway fills it in for {@code GET /servers}.
 *
 * @param inFlight      requests the server is serving through the gateway now
 * @param queued        requests waiting for one of its slots
 * @param slots         requests it serves at once, as its {@code /props} said; 0 until the gateway read them
 * @param requestsTotal requests the gateway handed it since MAGI started
 */
public record ServerTraffic(int inFlight, int queued, int slots, long requestsTotal) {
    /** A server the gateway has not sent anything. */
    public static final ServerTraffic NONE = new ServerTraffic(0, 0, 0, 0);
}
