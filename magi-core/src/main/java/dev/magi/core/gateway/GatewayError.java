package dev.magi.core.gateway;

import java.util.Locale;

/**
 * The errors the gateway answers under {@code /v1} and {@code /upstream}, in OpenAI's terms so that
 * OpenAI clients understand them: an HTTP status, an error {@code type} and a {@code code}.
 */
public enum GatewayError {
    INVALID_JSON(400, Type.INVALID_REQUEST),
    MODEL_REQUIRED(400, Type.INVALID_REQUEST),
    VIRTUAL_MODEL_NOT_SUPPORTED(400, Type.INVALID_REQUEST),
    CONTEXT_LENGTH_EXCEEDED(400, Type.INVALID_REQUEST),
    INVALID_PATH(400, Type.INVALID_REQUEST),
    INVALID_API_KEY(401, Type.AUTHENTICATION),
    MODEL_NOT_FOUND(404, Type.INVALID_REQUEST),
    PAYLOAD_TOO_LARGE(413, Type.INVALID_REQUEST),
    QUEUE_FULL(429, Type.RATE_LIMIT),
    UPSTREAM_UNAVAILABLE(502, Type.SERVER),
    MODEL_LOAD_FAILED(503, Type.SERVER),
    MODEL_BACKOFF(503, Type.SERVER),
    MODEL_NOT_RUNNING(503, Type.SERVER),
    NO_AVAILABLE_MODEL(503, Type.SERVER),
    INSUFFICIENT_MEMORY(503, Type.SERVER),
    QUEUE_TIMEOUT(503, Type.SERVER),
    SHUTTING_DOWN(503, Type.SERVER),
    MODEL_LOAD_TIMEOUT(504, Type.SERVER);

    /** OpenAI's error types. */
    public enum Type {
        INVALID_REQUEST("invalid_request_error"),
        AUTHENTICATION("authentication_error"),
        RATE_LIMIT("rate_limit_error"),
        SERVER("server_error");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    private final int httpStatus;
    private final Type type;
    private final String code = name().toLowerCase(Locale.ROOT);

    GatewayError(int httpStatus, Type type) {
        this.httpStatus = httpStatus;
        this.type = type;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public Type type() {
        return type;
    }

    /** The {@code code} of the error body, such as {@code model_not_found}. */
    public String code() {
        return code;
    }
}
