package dev.magi.core.gateway;

/**
 * A request the gateway refuses or cannot serve, with what the client is told: an OpenAI-shaped
 * error, the parameter at fault when there is one, and how long to wait before asking again.
 */
public final class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final GatewayError error;
    private final String param;
    private final Integer retryAfterSeconds;

    public GatewayException(GatewayError error, String message) {
        this(error, message, null, null);
    }

    public GatewayException(GatewayError error, String message, String param, Integer retryAfterSeconds) {
        super(message, null, false, false);
        this.error = error;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public GatewayError error() {
        return error;
    }

    /** The request's parameter at fault, such as {@code model}; null when none is. */
    public String param() {
        return param;
    }

    /** Seconds for a {@code Retry-After} header; null when asking again will not help. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
