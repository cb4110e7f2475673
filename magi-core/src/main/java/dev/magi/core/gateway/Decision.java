package dev.magi.core.gateway;

/** Where the balancer sends a request. */
public sealed interface Decision {

    /** The model whose server serves the request. */
    String modelId();

    /** A running server with a free slot serves it now. */
    record Use(String modelId) implements Decision {
    }

    /** This stopped candidate starts, and the request waits for it. */
    record Start(String modelId) implements Decision {
    }

    /** The request waits in this server's queue for a free slot (or for it to finish starting). */
    record Queue(String modelId) implements Decision {
    }
}
