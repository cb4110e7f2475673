package dev.magi.spi;

/**
 * Every error MAGI reports, with the {@code error} string of the API's error body and its HTTP status.
 * Layers below HTTP throw {@link MagiException} with one of these; the HTTP layer only translates.
 */
public enum ErrorCode {
    INVALID_REQUEST("InvalidRequest", 400),
    INVALID_TIER("InvalidTier", 400),
    PORT_OUT_OF_RANGE("PortOutOfRange", 400),
    INVALID_PORT_RANGE("InvalidPortRange", 400),
    INVALID_PROFILE("InvalidProfile", 400),
    INVALID_PROFILE_NAME("InvalidProfileName", 400),
    UNAUTHORIZED("Unauthorized", 401),
    FORBIDDEN("Forbidden", 403),
    NOT_FOUND("NotFound", 404),
    MODEL_NOT_FOUND("ModelNotFound", 404),
    PROFILE_NOT_FOUND("ProfileNotFound", 404),
    METHOD_NOT_ALLOWED("MethodNotAllowed", 405),
    NOT_ACCEPTABLE("NotAcceptable", 406),
    /** The client took too long to send its request (its body, most often): 408. */
    REQUEST_TIMEOUT("RequestTimeout", 408),
    PORT_IN_USE("PortInUse", 409),
    PORT_RANGE_EXHAUSTED("PortRangeExhausted", 409),
    MODEL_NOT_RUNNABLE("ModelNotRunnable", 409),
    PROFILE_EXISTS("ProfileExists", 409),
    PROFILE_ACTIVE("ProfileActive", 409),
    START_CANCELLED("StartCancelled", 409),
    PAYLOAD_TOO_LARGE("PayloadTooLarge", 413),
    UNSUPPORTED_MEDIA_TYPE("UnsupportedMediaType", 415),
    INTERNAL_ERROR("InternalError", 500),
    RESCAN_FAILED("RescanFailed", 500),
    STORAGE_FAILED("StorageFailed", 500),
    INVALID_CONFIGURATION("InvalidConfiguration", 500),
    SERVER_START_FAILED("ServerStartFailed", 502),
    SERVICE_UNAVAILABLE("ServiceUnavailable", 503),
    SERVER_START_TIMEOUT("ServerStartTimeout", 504);

    private final String wireName;
    private final int httpStatus;

    ErrorCode(String wireName, int httpStatus) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
    }

    /** The {@code error} string of the API's error body. */
    public String wireName() {
        return wireName;
    }

    /** The HTTP status the API answers with. */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * The error a bare HTTP status stands for when no code was thrown: a failure the web container or
     * the JAX-RS runtime answers by itself. A status without a code of its own is an
     * {@link #INTERNAL_ERROR} from 500 up and an {@link #INVALID_REQUEST} below; the answer keeps the
     * status it was given.
     */
    public static ErrorCode forHttpStatus(int status) {
        return switch (status) {
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 408 -> REQUEST_TIMEOUT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 503 -> SERVICE_UNAVAILABLE;
            default -> status >= 500 ? INTERNAL_ERROR : INVALID_REQUEST;
        };
    }
}
