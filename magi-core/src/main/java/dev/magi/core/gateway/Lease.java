package dev.magi.core.gateway;

import dev.magi.spi.Tier;

import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One slot of one server, held while a request is forwarded to it. Closing it frees the slot for
 * the next request waiting for that server; closing twice is harmless, so every path that ends a
 * request may close it.
 */
public final class Lease implements AutoCloseable {
    private final String modelId;
    private final URI baseUri;
    private final Tier tier;
    private final Route route;
    private final Double score;
    private final long queueMs;
    private final long loadMs;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    Lease(String modelId, URI baseUri, Tier tier, Route route, Double score, long queueMs, long loadMs,
          Runnable release) {
        this.modelId = modelId;
        this.baseUri = baseUri;
        this.tier = tier;
        this.route = route;
        this.score = score;
        this.queueMs = queueMs;
        this.loadMs = loadMs;
        this.release = release;
    }

    /** The model whose server serves the request. */
    public String modelId() {
        return modelId;
    }

    /**
     * Where that server answers, such as {@code http://127.0.0.1:8080}: a base URL, since a server
     * need not run on this machine.
     */
    public URI baseUri() {
        return baseUri;
    }

    public Tier tier() {
        return tier;
    }

    public Route route() {
        return route;
    }

    /** The score {@code auto} gave the question; null for other routes. */
    public Double score() {
        return score;
    }

    /** Milliseconds the request waited for a slot, its server's start included. */
    public long queueMs() {
        return queueMs;
    }

    /** Milliseconds of that wait spent on the server's start; 0 when it was ready. */
    public long loadMs() {
        return loadMs;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release.run();
        }
    }
}
